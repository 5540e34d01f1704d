using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MultiCluster.Engine.Tests.Connections;

/// <summary>Writes small kubeconfig documents for tests.</summary>
public static class TestKubeconfig
{
    private static readonly Lazy<string> SelfSignedCa = new(() =>
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test-ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return Convert.ToBase64String(Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()));
    });

    /// <summary>base64 of a PEM CA certificate, as certificate-authority-data carries it.</summary>
    public static string CaData => SelfSignedCa.Value;

    public sealed record Entry(string Context, string Server = "https://127.0.0.1:6443", string? Token = "token-of-{0}",
        string? Namespace = null, bool Insecure = false, string? ClusterName = null, string? UserName = null, string? ExecYaml = null);

    public static string Build(string? currentContext, params Entry[] entries)
    {
        var yaml = new StringBuilder("apiVersion: v1\nkind: Config\n");
        if (currentContext is not null) yaml.Append($"current-context: {currentContext}\n");
        yaml.Append("clusters:\n");
        foreach (var e in entries)
        {
            yaml.Append($"- name: {e.ClusterName ?? e.Context}\n  cluster:\n    server: {e.Server}\n");
            yaml.Append(e.Insecure ? "    insecure-skip-tls-verify: true\n" : $"    certificate-authority-data: {CaData}\n");
        }
        yaml.Append("contexts:\n");
        foreach (var e in entries)
        {
            yaml.Append($"- name: {e.Context}\n  context:\n    cluster: {e.ClusterName ?? e.Context}\n    user: {e.UserName ?? e.Context}\n");
            if (e.Namespace is not null) yaml.Append($"    namespace: {e.Namespace}\n");
        }
        yaml.Append("users:\n");
        foreach (var e in entries)
        {
            yaml.Append($"- name: {e.UserName ?? e.Context}\n  user:\n");
            if (e.ExecYaml is not null) yaml.Append(e.ExecYaml);
            else yaml.Append($"    token: {string.Format(e.Token ?? "", e.Context)}\n");
        }
        return yaml.ToString();
    }
}
