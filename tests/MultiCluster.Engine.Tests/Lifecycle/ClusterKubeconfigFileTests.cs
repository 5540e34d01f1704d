using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Lifecycle;

namespace MultiCluster.Engine.Tests.Lifecycle;

public sealed class ClusterKubeconfigFileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mc-kcf-" + Guid.NewGuid().ToString("N")[..8]);

    private static string Kubeconfig(string cluster, string token, string server = "https://127.0.0.1:6443") => $"""
        apiVersion: v1
        kind: Config
        current-context: {cluster}-admin@{cluster}
        clusters:
        - name: {cluster}
          cluster:
            server: {server}
        users:
        - name: {cluster}-admin
          user:
            token: {token}
        contexts:
        - name: {cluster}-admin@{cluster}
          context:
            cluster: {cluster}
            user: {cluster}-admin
        """;

    [Fact]
    public void A_session_whose_kubeconfig_is_content_has_no_default_file_to_write_credentials_to()
    {
        var act = () => ClusterKubeconfigFile.DefaultPath(global::MultiCluster.Engine.Connections.KubeconfigSource.FromContent(Kubeconfig("w1", "tok")));

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(LifecycleErrorIds.KubeconfigPathRequired);
        error.Category.Should().Be(FleetErrorCategory.InvalidArgument);
        error.Target.Should().Be("-KubeconfigPath");
        ClusterKubeconfigFile.DefaultPath(global::MultiCluster.Engine.Connections.KubeconfigSource.FromPaths(Path.Combine(_directory, "k"))).Should().Be(Path.Combine(_directory, "k"));
    }

    [Fact]
    public void Describe_names_the_current_context_and_its_server_only()
    {
        ClusterKubeconfigFile.Describe(Kubeconfig("dev-01", "secret-token", "https://10.0.0.1:6443"), "test")
            .Should().Be(new KubeconfigSummary("dev-01-admin@dev-01", "https://10.0.0.1:6443"));
    }

    [Fact]
    public void A_merge_creates_the_file_owner_only_then_replaces_same_names_and_keeps_the_rest()
    {
        var path = Path.Combine(_directory, "nested", "config");
        ClusterKubeconfigFile.Merge(path, Kubeconfig("dev-01", "first-token"), "test");
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        ClusterKubeconfigFile.Merge(path, Kubeconfig("dev-02", "other-token"), "test");
        ClusterKubeconfigFile.Merge(path, Kubeconfig("dev-01", "second-token"), "test");

        var text = File.ReadAllText(path);
        text.Should().Contain("dev-02-admin@dev-02").And.Contain("other-token").And.Contain("second-token").And.NotContain("first-token");
        ClusterKubeconfigFile.Describe(text, path).Context.Should().Be("dev-01-admin@dev-01", "the file's current context is kept");
        Directory.GetFiles(Path.GetDirectoryName(path)!).Should().ContainSingle("no temporary file is left behind");
    }

    [Fact]
    public void A_broken_kubeconfig_is_named_without_quoting_it()
    {
        var merge = () => ClusterKubeconfigFile.Merge(Path.Combine(_directory, "config"), "token: [secret-token", "secret dev-01-kubeconfig");
        var error = merge.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(FleetErrorIds.KubeconfigInvalid);
        error.Message.Should().Contain("secret dev-01-kubeconfig").And.NotContain("secret-token");
        File.Exists(Path.Combine(_directory, "config")).Should().BeFalse();
    }

    [Fact]
    public void The_management_cluster_is_the_named_one_or_the_only_one_with_role_management()
    {
        FleetCluster[] fleet = [new() { Name = "mgmt-01", Role = FleetClusterRole.Management, Aliases = ["ops"] }, new() { Name = "dev-01" }];
        ManagementClusters.Resolve(fleet, null).Name.Should().Be("mgmt-01");
        ManagementClusters.Resolve(fleet, "DEV-01").Name.Should().Be("dev-01");
        ManagementClusters.Resolve(fleet, "ops").Name.Should().Be("mgmt-01", "an alias names its cluster as everywhere else");

        var missing = () => ManagementClusters.Resolve(fleet, "mgmt-1");
        missing.Should().Throw<FleetInputException>().Which.Message.Should().Contain("mgmt-01", "it suggests the closest name");
        var none = () => ManagementClusters.Resolve([fleet[1]], null);
        none.Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(ClusterApiErrorIds.ManagementClusterNotFound);
        var several = () => ManagementClusters.Resolve([fleet[0], fleet[0] with { Name = "mgmt-02" }], null);
        several.Should().Throw<FleetInputException>().Which.Message.Should().Contain("mgmt-01, mgmt-02");
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }
}
