using MultiCluster.Engine.Resources;
using MultiCluster.Engine.Tests.Connections;

namespace MultiCluster.Engine.Tests.Resources;

public sealed class SecretManifestFileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mc-mw-" + Guid.NewGuid().ToString("N")[..8]);

    [UnixFact]
    public void A_rendered_file_holding_a_Secret_is_readable_by_its_owner_only_and_others_keep_the_default_mode()
    {
        var secret = ManifestReader.ReadText("apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: capa-system\ndata:\n  key: c2VjcmV0\n");
        var plain = ManifestReader.ReadText("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n");

        var secretManifests = ManifestWriter.Render("with-secret", [.. secret, .. plain], _directory);
        var plainManifests = ManifestWriter.Render("plain", plain, _directory);

        secretManifests.Should().HaveCount(2);
        var secretPath = secretManifests[0].Path!;
        File.GetUnixFileMode(secretPath).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.ReadAllText(secretPath).Should().Contain("c2VjcmV0");
        Directory.GetFiles(_directory, ".*.tmp").Should().BeEmpty("the temporary file was moved over the target");
        File.GetUnixFileMode(plainManifests.Single().Path!).Should().HaveFlag(UnixFileMode.OtherRead, "a file without a Secret keeps the usual mode");
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }
}
