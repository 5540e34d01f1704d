namespace MultiCluster.PowerShell.Tests.BadInput;

public static partial class BadInputCases
{
    private const string BadClusterFleet = """
        clusters:
          - name: bad
            context: bad
            kubeconfig: ./bad-kubeconfig
        """;

    /// <summary>A kubeconfig for the first emulated server with one context 'bad'; <paramref name="cluster"/> and <paramref name="user"/> are its entries' bodies.</summary>
    private static string BadKubeconfig(string cluster, string user) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: bad
          cluster:
        {Indent(cluster, 4)}
        users:
        - name: bad
          user:
        {Indent(user, 4)}
        contexts:
        - name: bad
          context: {"{"} cluster: bad, user: bad {"}"}
        current-context: bad
        """;

    private static string Indent(string text, int spaces) =>
        string.Join("\n", text.Split('\n').Select(l => new string(' ', spaces) + l));

    private const string GoodServer = "server: {server0}\ncertificate-authority-data: {ca}";

    private static string Exec(string script, string apiVersion = "client.authentication.k8s.io/v1") =>
        $"exec:\n  apiVersion: {apiVersion}\n  command: /bin/sh\n  args: ['-c', '{script}']\n  interactiveMode: Never";

    /// <summary>
    /// The fleet's cluster 'bad' reads ./bad-kubeconfig. What a kubeconfig holds is input for one context:
    /// kubectl fails that context alone, and the module reports that cluster (non-terminating) and goes on.
    /// A 401 for an expired token is the server's answer, so the request log shows only reads.
    /// </summary>
    private static BadInputCase Kubeconfig(string name, string kubeconfig, string errorId, string command = "Get-FleetResource ConfigMap -Namespace default -Cluster bad", int? line = null) =>
        new(name, "Import-Fleet ./fleet.yaml -Kubeconfig $kc\n" + command, errorId, line is null ? null : "bad-kubeconfig", line, null,
            new Dictionary<string, string> { ["fleet.yaml"] = BadClusterFleet, ["bad-kubeconfig"] = kubeconfig }, NonTerminating: true);

    private static IEnumerable<BadInputCase> Kubeconfigs()
    {
        yield return new BadInputCase("kubeconfig: the fleet names a context the kubeconfig lacks",
            "Import-Fleet -Content \"clusters:`n  - name: lost`n    context: no-such-context\" -Kubeconfig $kc\nGet-FleetResource ConfigMap -Cluster lost",
            "ClusterContextNotFound", NonTerminating: true);
        yield return Kubeconfig("kubeconfig: a token the server does not know (expired)", BadKubeconfig(GoodServer, "token: expired-token-0000"), "ClusterAuthenticationFailed");
        yield return Kubeconfig("kubeconfig: an empty token", BadKubeconfig(GoodServer, "token: ''"), "KubeconfigInvalid");
        yield return Kubeconfig("kubeconfig: certificate-authority-data that is not base64", BadKubeconfig("server: {server0}\ncertificate-authority-data: '%%%not-base64%%%'", "token: t"), "KubeconfigInvalid");
        yield return Kubeconfig("kubeconfig: certificate-authority-data that is not a certificate", BadKubeconfig("server: {server0}\ncertificate-authority-data: aGVsbG8gd29ybGQ=", "token: t"), "ClusterCertificateInvalid");
        yield return Kubeconfig("kubeconfig: a CA that did not sign the server's certificate", BadKubeconfig("server: {server0}\ncertificate-authority-data: {otherca}", "token: t"), "ClusterCertificateInvalid");
        yield return Kubeconfig("kubeconfig: certificate-authority naming a missing file", BadKubeconfig("server: {server0}\ncertificate-authority: ./no-such-ca.crt", "token: t"), "KubeconfigInvalid");
        yield return Kubeconfig("kubeconfig: a server that is not a URL", BadKubeconfig("server: 'not a url'\ncertificate-authority-data: {ca}", "token: t"), "KubeconfigInvalid");
        yield return Kubeconfig("kubeconfig: a cluster entry without server", BadKubeconfig("certificate-authority-data: {ca}", "token: t"), "KubeconfigInvalid");
        yield return Kubeconfig("kubeconfig: client-certificate-data that is not a certificate", BadKubeconfig(GoodServer, "client-certificate-data: aGVsbG8=\nclient-key-data: aGVsbG8="), "KubeconfigInvalid");
        yield return Kubeconfig("kubeconfig: the context's user is missing", BadKubeconfig(GoodServer, "token: t").Replace("user: bad }", "user: ghost }"), "KubeconfigInvalid");
        yield return Kubeconfig("kubeconfig: the context's cluster is missing", BadKubeconfig(GoodServer, "token: t").Replace("cluster: bad,", "cluster: ghost,"), "KubeconfigInvalid");
        yield return Kubeconfig("kubeconfig: YAML that does not parse", "apiVersion: v1\nclusters:\n- name: bad\n  cluster: { server: x\n", "KubeconfigInvalid", line: 5);
        yield return Kubeconfig("kubeconfig: exec plugin exits 1", BadKubeconfig(GoodServer, Exec("echo denied by policy >&2; exit 1")), "CredentialPluginFailed");
        yield return Kubeconfig("kubeconfig: exec plugin command not found", BadKubeconfig(GoodServer, "exec:\n  apiVersion: client.authentication.k8s.io/v1\n  command: no-such-credential-helper\n  interactiveMode: Never"), "CredentialPluginFailed");
        yield return Kubeconfig("kubeconfig: exec plugin prints no JSON", BadKubeconfig(GoodServer, Exec("echo hello")), "CredentialPluginFailed");
        yield return Kubeconfig("kubeconfig: exec plugin prints an ExecCredential without a token", BadKubeconfig(GoodServer, Exec("echo {\\\"apiVersion\\\":\\\"client.authentication.k8s.io/v1\\\",\\\"kind\\\":\\\"ExecCredential\\\",\\\"status\\\":{}}")), "CredentialPluginFailed");
        yield return Kubeconfig("kubeconfig: exec plugin of a removed apiVersion", BadKubeconfig(GoodServer, Exec("exit 0", "client.authentication.k8s.io/v1alpha1")), "CredentialPluginFailed");
        yield return Kubeconfig("kubeconfig: exec plugin that hangs, past -TimeoutSeconds", BadKubeconfig(GoodServer, Exec("sleep 300")), "ClusterTimeout",
            command: "Get-FleetResource ConfigMap -Namespace default -Cluster bad -TimeoutSeconds 2");
        yield return Kubeconfig("kubeconfig: a token the server does not know, on Invoke-FleetApply", BadKubeconfig(GoodServer, "token: apply-expired-token"), "ClusterAuthenticationFailed",
            command: "@{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'bad-input-auth'; namespace = 'default' } } | Invoke-FleetApply -Cluster bad -Confirm:$false");


        // A kubeconfig given to Import-Fleet is read at once; the session keeps its fleet.
        yield return Line("kubeconfig: -Kubeconfig names a missing file", "Import-Fleet -Content \"clusters:`n  - name: a\" -Kubeconfig ./no-such-kubeconfig", "KubeconfigInvalid");
        yield return Line("kubeconfig: -KubeconfigContent that is not YAML", "Import-Fleet -Content \"clusters:`n  - name: a\" -KubeconfigContent 'clusters: [ {'", "KubeconfigInvalid");
        yield return Line("kubeconfig: -KubeconfigContent that is a list", "Import-Fleet -Content \"clusters:`n  - name: a\" -KubeconfigContent '- a'", "KubeconfigInvalid");
    }
}
