using MultiCluster.PowerShell.Tests.Infrastructure;
using MultiCluster.Testing;

namespace MultiCluster.PowerShell.Tests.BadInput;

/// <summary>
/// One emulated fleet for every bad-input row: three clusters (prod-a management, prod-b, dev-c) with
/// the Velero, KubeFed, Argo CD and Cluster API CRDs when ../shared/crds is present, and one
/// PowerShell session (rows run one after another in their class, so they share it).
/// </summary>
public sealed class BadInputFixture : IAsyncLifetime
{
    private const string Crds = "velero,kubefed,argo-cd,cluster-api";

    public EmulatorProcess Emulator { get; private set; } = null!;
    public PowerShellSession Session { get; private set; } = null!;
    public string FleetYaml { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Emulator = await EmulatorProcess.StartAsync(3, "bi" + Guid.NewGuid().ToString("N")[..4], crds: SharedFiles.Crds is null ? null : Crds);
        FleetYaml = $"""
            name: bad-input
            clusters:
              - name: prod-a
                context: {Emulator.Contexts[0]}
                region: us-east-1
                role: management
                labels: {"{"} env: prod {"}"}
              - name: prod-b
                context: {Emulator.Contexts[1]}
                region: eu-central-1
                labels: {"{"} env: prod {"}"}
              - name: dev-c
                context: {Emulator.Contexts[2]}
                region: eu-central-1
                labels: {"{"} env: dev {"}"}
            """;
        Session = new PowerShellSession();
    }

    /// <summary>A file's content with the emulator's contexts and kubeconfig put in.</summary>
    public string Expand(string content)
    {
        for (var i = 0; i < Emulator.Contexts.Count; i++)
            content = content.Replace("{ctx" + i + "}", Emulator.Contexts[i]);
        return content.Replace("{kubeconfig}", Emulator.Kubeconfig)
            .Replace("{server0}", Emulator.Servers[Emulator.Contexts[0]].ToString().TrimEnd('/'))
            .Replace("{ca}", Emulator.CertificateAuthorityData)
            .Replace("{otherca}", OtherAuthority.Value);
    }

    /// <summary>The PEM of a CA that signed nothing the emulator serves, base64 as a kubeconfig holds it.</summary>
    private static readonly Lazy<string> OtherAuthority = new(() =>
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=other-ca", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()));
    });

    public async Task DisposeAsync()
    {
        Session?.Dispose();
        await Emulator.DisposeAsync();
    }
}
