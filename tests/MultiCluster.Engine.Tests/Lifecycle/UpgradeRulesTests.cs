using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Lifecycle.Upgrade;
using MultiCluster.Engine.Lifecycle;

namespace MultiCluster.Engine.Tests.Lifecycle;

public class UpgradeRulesTests
{
    private static readonly KeyValuePair<string, string>[] NoWorkers = [];

    [Theory]
    [InlineData("v1.31.4", "v1.32.0")]
    [InlineData("v1.31.4", "v1.31.5")]
    [InlineData("v1.31.4", "v1.31.4")]
    [InlineData("v1.30.2-eks-1234", "v1.31.0")]
    public void One_minor_step_or_a_patch_is_allowed(string current, string target)
    {
        var act = () => UpgradeRules.CheckControlPlaneUpgrade("dev-01", current, target, [new("md-0", current)]);

        act.Should().NotThrow();
    }

    [Fact]
    public void Skipping_a_minor_version_is_refused_with_the_step_to_take()
    {
        var act = () => UpgradeRules.CheckControlPlaneUpgrade("dev-01", "v1.30.9", "v1.32.1", NoWorkers);

        var error = act.Should().Throw<FleetClusterException>().Which;
        error.ErrorId.Should().Be(LifecycleErrorIds.UpgradeNotAllowed);
        error.Cluster.Should().Be("dev-01");
        error.Message.Should().Contain("would skip minor version 1.31");
        error.RecommendedAction.Should().Be("Upgrade to the newest v1.31.x first, then to v1.32.1.");
    }

    [Fact]
    public void A_downgrade_is_refused()
    {
        var act = () => UpgradeRules.CheckControlPlaneUpgrade("dev-01", "v1.32.2", "v1.32.1", NoWorkers);

        act.Should().Throw<FleetClusterException>().Which.Message.Should().Contain("cannot be downgraded");
    }

    [Fact]
    public void Workers_more_than_three_minors_behind_the_new_control_plane_are_refused()
    {
        var act = () => UpgradeRules.CheckControlPlaneUpgrade("dev-01", "v1.32.0", "v1.33.0", [new("md-0", "v1.30.1"), new("md-1", "v1.29.8")]);

        var error = act.Should().Throw<FleetClusterException>().Which;
        error.Message.Should().Contain("'md-1'").And.Contain("4 minor versions behind");
        error.RecommendedAction.Should().Be("Upgrade 'md-1' to at least v1.30.0 first.");
    }

    [Fact]
    public void Workers_may_not_pass_their_control_plane()
    {
        var act = () => UpgradeRules.CheckWorkerUpgrade("dev-01", "v1.31.2", "md-0", "v1.32.0");

        act.Should().Throw<FleetClusterException>().Which.RecommendedAction.Should().Be("Upgrade the control plane first.");
        UpgradeRules.CheckWorkerUpgrade("dev-01", "v1.32.0", "md-0", "v1.32.0");
    }

    [Fact]
    public void A_malformed_target_is_input_error()
    {
        var act = () => UpgradeRules.CheckControlPlaneUpgrade("dev-01", "v1.32.0", "1.33", NoWorkers);

        act.Should().Throw<FleetInputException>().Which.ErrorId.Should().Be(LifecycleErrorIds.KubernetesVersionInvalid);
    }
}
