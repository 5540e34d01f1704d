using System.Text;

namespace MultiCluster.Testing;

/// <summary>Writes kubeconfig YAML: one cluster, user and context per instance.</summary>
public static class KubeconfigWriter
{
    /// <summary>The kubeconfig text; the first context is current.</summary>
    public static string Write(IReadOnlyList<(string ContextName, EmulatedCluster Cluster)> contexts)
    {
        if (contexts.Count == 0) throw new ArgumentException("at least one context is needed", nameof(contexts));
        var caData = Convert.ToBase64String(Encoding.ASCII.GetBytes(EmulatedCluster.CertificateAuthorityPem));
        var yaml = new StringBuilder();
        yaml.Append("apiVersion: v1\nkind: Config\npreferences: {}\n");
        yaml.Append($"current-context: {Quote(contexts[0].ContextName)}\n");
        yaml.Append("clusters:\n");
        foreach (var (name, cluster) in contexts)
            yaml.Append($"- name: {Quote(name)}\n  cluster:\n    server: {cluster.Server.ToString().TrimEnd('/')}\n    certificate-authority-data: {caData}\n");
        yaml.Append("users:\n");
        foreach (var (name, cluster) in contexts)
            yaml.Append($"- name: {Quote(name + "-admin")}\n  user:\n    token: {cluster.AdminToken}\n");
        yaml.Append("contexts:\n");
        foreach (var (name, _) in contexts)
            yaml.Append($"- name: {Quote(name)}\n  context:\n    cluster: {Quote(name)}\n    user: {Quote(name + "-admin")}\n    namespace: default\n");
        return yaml.ToString();
    }

    /// <summary>Writes the kubeconfig readable by the owner only (0600), as kubeconfigs holding tokens should be.</summary>
    public static void WriteFile(string path, string kubeconfig)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        if (OperatingSystem.IsWindows())
        {
            File.WriteAllText(path, kubeconfig);
            return;
        }
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var writer = new StreamWriter(stream, new UTF8Encoding(false));
        writer.Write(kubeconfig);
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
