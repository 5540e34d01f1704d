namespace MultiCluster.PowerShell.Tests.BadInput;

public static partial class BadInputCases
{
    /// <summary>A FederatedConfigMap whose spec is <paramref name="spec"/> (indented two spaces under spec:).</summary>
    private static string Federated(string spec, string apiVersion = "types.kubefed.io/v1beta1", string kind = "FederatedConfigMap") => $"""
        apiVersion: {apiVersion}
        kind: {kind}
        metadata:
          name: bad-input-fed
          namespace: default
        spec:
        {Indent(spec, 2)}
        """;

    private const string FedTemplate = "template:\n  data:\n    text: hello";

    private static BadInputCase Policy(string name, string yaml, string command = "Get-FleetUpgradePlan -Policy ./policy.yaml", string errorId = "UpgradePolicyInvalid") =>
        WithFile(name, "policy.yaml", yaml, command, errorId);

    private static BadInputCase KubeFed(string name, string yaml, string errorId = "KubeFedDocumentInvalid", string extra = "") =>
        new(name, "Publish-FleetWorkload -Path ./fed.yaml -Confirm:$false" + extra, errorId, null, null, null, OneFile("fed.yaml", yaml), NeedsSharedCrds: true);

    // Upgrade policies, KubeFed documents, placement and overrides, Dex and RBAC files.
    private static IEnumerable<BadInputCase> Documents()
    {
        const string wave = "waves:\n  - name: dev\n    clusters: [dev-*]\n";
        yield return Policy("upgrade policy: top-level key 'wave'", "wave:\n  - name: dev\n    clusters: [dev-*]\n");
        yield return Policy("upgrade policy: wave key 'cluster'", "waves:\n  - name: dev\n    cluster: [dev-*]\n");
        yield return Policy("upgrade policy: wave key 'maxUnavailble'", wave + "    maxUnavailble: 1\n");
        yield return Policy("upgrade policy: an empty waves list", "waves: []\n");
        yield return Policy("upgrade policy: a wave that is a plain value", "waves:\n  - dev\n");
        yield return Policy("upgrade policy: a wave without clusters", "waves:\n  - name: dev\n");
        yield return Policy("upgrade policy: a schedule that is not cron", wave + "    schedule: every night\n");
        yield return Policy("upgrade policy: a six-field cron schedule", wave + "    schedule: '0 0 2 * * 6'\n");
        yield return Policy("upgrade policy: a cron minute of 61", wave + "    schedule: '61 2 * * 6'\n");
        yield return Policy("upgrade policy: a window of '4 hours'", wave + "    window: 4 hours\n");
        yield return Policy("upgrade policy: two waves with one name", wave + "  - name: dev\n    clusters: [prod-*]\n");
        yield return Policy("upgrade policy: maxUnavailable 0", wave + "    maxUnavailable: 0\n");
        yield return Policy("upgrade policy: maxUnavailable 150%", wave + "    maxUnavailable: 150%\n");
        yield return Policy("upgrade policy: a time zone on Mars", wave + "    timeZone: Mars/Olympus_Mons\n");
        yield return Policy("upgrade policy: approval 'Maybe'", wave + "    approval: Maybe\n");
        yield return Policy("upgrade policy: strategy 'YOLO'", wave + "    strategy: YOLO\n");
        yield return Policy("upgrade policy: field layout entry without name", "clusters:\n  - upgrade: { auto: true }\n");
        yield return Policy("upgrade policy: field layout track 'newest'", "clusters:\n  - name: dev-*\n    upgrade: { track: newest }\n");
        yield return Policy("upgrade policy: field layout auto 'yes please'", "clusters:\n  - name: dev-*\n    upgrade: { auto: yes please }\n");
        yield return Policy("upgrade policy: field layout auto with manual approval", "clusters:\n  - name: dev-*\n    upgrade: { auto: true, approval: manual }\n");
        yield return Policy("upgrade policy: field layout key 'upgarde'", "clusters:\n  - name: dev-*\n    upgarde: { auto: true }\n");
        yield return Policy("upgrade policy: a ConfigMap without policy.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: p }\ndata: { other.yaml: x }\n");
        yield return Policy("upgrade policy: YAML that does not parse", "waves:\n  - name: dev\n    clusters: [dev-*\n");
        yield return Policy("upgrade policy: two documents", wave + "---\n" + wave);
        yield return Line("upgrade policy: a file that does not exist", "Get-FleetUpgradePlan -Policy ./no-such-policy.yaml", "UpgradePolicyInvalid");
        yield return Policy("upgrade policy: Start-FleetUpgrade with a bad schedule", wave + "    schedule: 'at dawn'\n", "Start-FleetUpgrade -Policy ./policy.yaml -Confirm:$false");
        yield return Policy("upgrade policy: Start-FleetUpgrade with an unknown key", "wavez: []\n", "Start-FleetUpgrade -Policy ./policy.yaml -Confirm:$false");

        // KubeFed documents (Publish-FleetWorkload reads Federated<Kind> as placement and overrides).
        yield return KubeFed("KubeFed: apiVersion v1alpha1", Federated(FedTemplate, apiVersion: "types.kubefed.io/v1alpha1"));
        yield return KubeFed("KubeFed: no spec", "apiVersion: types.kubefed.io/v1beta1\nkind: FederatedConfigMap\nmetadata: { name: f, namespace: default }\n");
        yield return KubeFed("KubeFed: no spec.template", Federated("placement:\n  clusters: [ { name: prod-a } ]"));
        yield return KubeFed("KubeFed: retainReplicas true", Federated(FedTemplate + "\nretainReplicas: true", kind: "FederatedDeployment"));
        yield return KubeFed("KubeFed: template kind differs from the federated kind", Federated("template:\n  kind: Secret\n  data: {}"));
        yield return KubeFed("KubeFed: overrides not a list", Federated(FedTemplate + "\noverrides: { clusterName: prod-a }"));
        yield return KubeFed("KubeFed: an override without clusterName", Federated(FedTemplate + "\noverrides:\n  - clusterOverrides: [ { path: /data/text, value: x } ]"));
        yield return KubeFed("KubeFed: an override without clusterOverrides", Federated(FedTemplate + "\noverrides:\n  - clusterName: prod-a"));
        yield return KubeFed("KubeFed: an override op 'merge'", Federated(FedTemplate + "\noverrides:\n  - clusterName: prod-a\n    clusterOverrides: [ { op: merge, path: /data/text, value: x } ]"));
        yield return KubeFed("KubeFed: an override without path", Federated(FedTemplate + "\noverrides:\n  - clusterName: prod-a\n    clusterOverrides: [ { value: x } ]"));
        yield return KubeFed("KubeFed: placement not an object", Federated(FedTemplate + "\nplacement: [prod-a]"));
        yield return KubeFed("KubeFed: placement.clusters not a list", Federated(FedTemplate + "\nplacement:\n  clusters: prod-a"));
        yield return KubeFed("KubeFed: a placement cluster without a name", Federated(FedTemplate + "\nplacement:\n  clusters: [ { nmae: prod-a } ]"));
        yield return KubeFed("KubeFed: placement key 'cluster'", Federated(FedTemplate + "\nplacement:\n  cluster: [ { name: prod-a } ]"));
        yield return KubeFed("KubeFed: matchExpressions operator 'Like'", Federated(FedTemplate + "\nplacement:\n  clusterSelector:\n    matchExpressions: [ { key: env, operator: Like, values: [prod] } ]"));
        yield return KubeFed("KubeFed: matchLabels as a list", Federated(FedTemplate + "\nplacement:\n  clusterSelector:\n    matchLabels: [env]"));
        yield return KubeFed("KubeFed: placement names a cluster not in the fleet", Federated(FedTemplate + "\nplacement:\n  clusters: [ { name: prod-z } ]"), "PlacementEmpty");
        yield return KubeFed("KubeFed: placement and -Cluster both given", Federated(FedTemplate + "\nplacement:\n  clusters: [ { name: prod-a } ]"), "PlacementConflict", " -Cluster prod-b");
        yield return KubeFed("KubeFed: a placement selecting no cluster", Federated(FedTemplate + "\nplacement:\n  clusterSelector:\n    matchLabels: { env: nowhere }"), "PlacementEmpty");

        // Overrides and waves given as parameters.
        const string piped = "@{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'bad-input-ovr'; namespace = 'default' }; data = @{ a = '1' } } | ";
        yield return Line("override: a path that is not a JSON pointer", piped + "Publish-FleetWorkload -Override @{ 'prod-a' = @{ 'data/a' = '2' } } -Cluster prod-a, prod-b -Confirm:$false", "OverrideInvalid");
        yield return Line("override: a value that is not a path map", piped + "Publish-FleetWorkload -Override @{ 'prod-a' = 'two' } -Confirm:$false", "OverrideInvalid");
        yield return Line("override: a pointer into a missing parent", piped + "Publish-FleetWorkload -Override @{ 'prod-a' = @{ '/spec/nothing/here' = 1 } } -Cluster prod-a, prod-b -Confirm:$false", "OverrideInvalid");
        yield return Line("wave: a wave naming a cluster not in the fleet", piped + "Publish-FleetWorkload -Wave 'prod-a', 'prod-z' -Cluster prod-a, prod-b -Confirm:$false", "WaveInvalid");
        yield return Line("override: a path that changes the kind", piped + "Publish-FleetWorkload -Override @{ 'prod-a' = @{ '/kind' = 'Secret' } } -Cluster prod-a, prod-b -Confirm:$false", "OverrideInvalid");
        yield return Line("override: a path that changes the name", piped + "Publish-FleetWorkload -Override @{ 'prod-b' = @{ '/metadata/name' = 'other' } } -Cluster prod-a, prod-b -Confirm:$false", "OverrideInvalid");
        yield return Line("override: a path that changes the namespace", piped + "Publish-FleetWorkload -Override @{ 'prod-b' = @(@{ op = 'replace'; path = '/metadata/namespace'; value = 'kube-system' }) } -Cluster prod-a, prod-b -Confirm:$false", "OverrideInvalid");
        yield return Line("wave: one cluster named in two waves", piped + "Publish-FleetWorkload -Wave 'prod-a', @('prod-a', 'prod-b') -Cluster prod-a, prod-b -Confirm:$false", "WaveInvalid");
        yield return Line("wave: a wave that is a number", piped + "Publish-FleetWorkload -Wave 42 -Cluster prod-a, prod-b -Confirm:$false", "WaveInvalid");
        yield return Line("wave: -OnFailure 'Explode'", piped + "Publish-FleetWorkload -Wave 'prod-a' -OnFailure Explode -Confirm:$false", "ParameterArgumentValidationError");
        yield return Line("wave: -WaveTimeoutSeconds 0", piped + "Publish-FleetWorkload -Wave 'prod-a' -WaveTimeoutSeconds 0 -Confirm:$false", "ParameterArgumentValidationError");
        yield return Line("workload: -As 'Helm'", piped + "Publish-FleetWorkload -As Helm -OutputPath ./out -Confirm:$false", "ParameterArgumentValidationError");
        yield return Line("workload: -OverrideMode 'Sideways'", piped + "Publish-FleetWorkload -OverrideMode Sideways -Confirm:$false", "CannotConvertArgumentNoMessage");
        yield return new BadInputCase("workload: one object in two files", "Publish-FleetWorkload -Path ./a.yaml, ./b.yaml -Cluster prod-a, prod-b -Confirm:$false", "WorkloadDuplicate",
            Files: new Dictionary<string, string> { ["a.yaml"] = GoodConfigMap, ["b.yaml"] = GoodConfigMap });

        // Dex, RBAC and monitoring files.
        yield return Line("Dex: -DexConfigPath names no file", "New-FleetOidcConfig -DexConfigPath ./no-such-dex.yaml -IssuerUrl https://dex.example.com -ClientId kubernetes -OutputPath ./out", "OidcInputInvalid");
        yield return WithFile("Dex: a config that does not parse", "dex.yaml", "issuer: https://dex.example.com\nconnectors: [\n",
            "New-FleetOidcConfig -DexConfigPath ./dex.yaml -IssuerUrl https://dex.example.com -ClientId kubernetes -OutputPath ./out", "OidcInputInvalid", 3);
        yield return WithFile("RBAC file: a ClusterRoleBinding without roleRef", "rbac.yaml",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: { name: b }\nsubjects: [ { kind: Group, name: ops, apiGroup: rbac.authorization.k8s.io } ]\n",
            "Set-FleetRbac -Path ./rbac.yaml -Confirm:$false", "ManifestInvalid", 1);
        yield return WithFile("RBAC file: a rule without verbs", "rbac.yaml",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: { name: r }\nrules: [ { apiGroups: [''], resources: [pods] } ]\n",
            "Set-FleetRbac -Path ./rbac.yaml -Confirm:$false", "ManifestInvalid", 1);
        yield return WithFile("RBAC file: a subject of kind 'Team'", "rbac.yaml",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: { name: b }\nroleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view }\nsubjects: [ { kind: Team, name: ops } ]\n",
            "Set-FleetRbac -Path ./rbac.yaml -Confirm:$false", "ManifestInvalid", 1);
        yield return WithFile("RBAC file: a roleRef of kind 'Policy'", "rbac.yaml",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: { name: b }\nroleRef: { apiGroup: rbac.authorization.k8s.io, kind: Policy, name: view }\nsubjects: [ { kind: Group, name: ops, apiGroup: rbac.authorization.k8s.io } ]\n",
            "Test-FleetRbac -Path ./rbac.yaml", "ManifestInvalid", 1);
        yield return Line("monitoring: Test-FleetMonitoring -Path names no file", "Test-FleetMonitoring -Provider Thanos -Path ./no-such-config.yaml", "MonitoringConfigNotFound");
    }
}
