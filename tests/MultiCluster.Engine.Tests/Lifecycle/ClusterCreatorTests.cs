using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Lifecycle;

namespace MultiCluster.Engine.Tests.Lifecycle;

/// <summary>New-FleetCluster's batch check: every request is checked before any cluster is contacted.</summary>
public class ClusterCreatorTests
{
    // Never dialled: the check contacts no cluster.
    private static readonly ClusterCreator Creator = new(new KubernetesConnector(KubeconfigSource.FromContent("""
        apiVersion: v1
        kind: Config
        clusters: [{ name: mgmt, cluster: { server: "https://127.0.0.1:9" } }]
        users: [{ name: mgmt, user: { token: unused } }]
        contexts: [{ name: mgmt, context: { cluster: mgmt, user: mgmt } }]
        """)));

    private static readonly FleetCluster[] Fleet = [new() { Name = "mgmt", Context = "mgmt", Role = FleetClusterRole.Management }];

    private static FleetClusterSpec Docker(string name, string pods) => new()
    {
        Name = name, Provider = "Docker", KubernetesVersion = "v1.32.3", PodCidr = pods,
    };

    [Fact]
    public void A_pod_range_overlapping_an_earlier_request_stops_the_whole_batch()
    {
        var act = () => Creator.Check([(Docker("dev-01", "10.70.0.0/16"), null), (Docker("dev-02", "10.70.128.0/17"), null)],
            Fleet, bootstrapCredentials: false, awsProfile: null, renderOnly: false);

        act.Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(LifecycleErrorIds.CidrOverlap);
    }

    [Fact]
    public void Valid_requests_go_to_the_management_cluster_and_rendering_needs_none()
    {
        var creations = Creator.Check([(Docker("dev-01", "10.70.0.0/16"), null), (Docker("dev-02", "10.71.0.0/16"), null)],
            Fleet, bootstrapCredentials: false, awsProfile: null, renderOnly: false);

        creations.Select(c => (c.Spec.Name, c.Management.Name, c.Credentials)).Should()
            .Equal(("dev-01", "mgmt", null), ("dev-02", "mgmt", null));
        Creator.Check([(Docker("dev-01", "10.70.0.0/16"), null)], [], bootstrapCredentials: false, awsProfile: null, renderOnly: true)
            .Should().BeEmpty("-OutputPath renders without a management cluster");
    }

    [Theory]
    [InlineData(true, "written to a file in the clear")]
    [InlineData(false, "does not apply to provider Docker")]
    public void Bootstrap_credentials_are_refused_when_rendering_and_for_other_providers(bool renderOnly, string reason)
    {
        var act = () => Creator.Check([(Docker("dev-01", "10.70.0.0/16"), null)], Fleet, bootstrapCredentials: true, awsProfile: null, renderOnly);

        var error = act.Should().Throw<FleetInputException>().Which;
        (error.ErrorId, error.Target).Should().Be((LifecycleErrorIds.ProviderParameterInvalid, "dev-01"));
        error.Message.Should().Contain(reason);
    }
}
