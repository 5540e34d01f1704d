using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Lifecycle;

namespace MultiCluster.Engine.Tests.Lifecycle;

public class ClusterSpecValidatorTests
{
    internal static FleetClusterSpec Spec(string provider = "AWS") => new()
    {
        Name = "dev-use1-01",
        Provider = provider,
        Region = provider == "Azure" ? "westeurope" : "us-east-1",
        KubernetesVersion = "v1.32.3",
        AvailabilityZones = provider == "AWS" ? ["us-east-1a", "us-east-1b"] : [],
    };

    private static FleetClusterSpec WithPods(FleetClusterSpec spec, string pods) => new()
    {
        Name = spec.Name, Provider = spec.Provider, Region = spec.Region, KubernetesVersion = spec.KubernetesVersion, PodCidr = pods,
    };

    private static FleetInputException Rejected(FleetClusterSpec spec, IEnumerable<FleetCluster>? fleet = null)
    {
        var act = () => ClusterSpecValidator.Validate(spec, fleet);
        return act.Should().Throw<FleetInputException>().Which;
    }

    [Theory]
    [InlineData("AWS")]
    [InlineData("azure")]
    [InlineData("DOCKER")]
    public void A_good_spec_passes_and_names_its_provider(string provider)
    {
        ClusterSpecValidator.Validate(Spec(provider)).Name.Should().BeEquivalentTo(provider);
    }

    [Theory]
    [InlineData("Dev-01", "not a DNS-1123 label")]
    [InlineData("dev_01", "not a DNS-1123 label")]
    [InlineData("-dev", "not a DNS-1123 label")]
    [InlineData("dev-", "not a DNS-1123 label")]
    [InlineData("dev\n", "not a DNS-1123 label")]
    [InlineData("", "-Name is empty")]
    public void A_bad_name_is_rejected(string name, string reason)
    {
        var error = Rejected(new FleetClusterSpec { Name = name, Provider = "Docker", KubernetesVersion = "v1.32.3" });

        error.ErrorId.Should().Be(LifecycleErrorIds.ClusterNameInvalid);
        error.Category.Should().Be(FleetErrorCategory.InvalidArgument);
        error.Message.Should().Contain(reason).And.Contain("-Name");
    }

    [Fact]
    public void A_name_longer_than_63_characters_is_rejected_and_63_is_accepted()
    {
        var atLimit = new string('a', 63);
        ClusterSpecValidator.Validate(new FleetClusterSpec { Name = atLimit, Provider = "Docker", KubernetesVersion = "v1.32.3" });

        var error = Rejected(new FleetClusterSpec { Name = atLimit + "b", Provider = "Docker", KubernetesVersion = "v1.32.3" });
        error.ErrorId.Should().Be(LifecycleErrorIds.ClusterNameInvalid);
        error.Message.Should().Contain("64 characters").And.Contain("at most 63");
    }

    [Theory]
    [InlineData("1.32.3", "did you mean 'v1.32.3'")]
    [InlineData("v1.32", "v1.x.y")]
    [InlineData("v2.0.0", "v1.x.y")]
    [InlineData("latest", "v1.x.y")]
    [InlineData("v1.32.03", "v1.x.y")]
    public void A_bad_kubernetes_version_is_rejected(string version, string hint)
    {
        var error = Rejected(new FleetClusterSpec { Name = "dev", Provider = "Docker", KubernetesVersion = version });

        error.ErrorId.Should().Be(LifecycleErrorIds.KubernetesVersionInvalid);
        error.Message.Should().Contain("-KubernetesVersion").And.Contain(hint);
    }

    [Fact]
    public void A_pre_release_version_is_accepted()
    {
        ClusterSpecValidator.TryParseKubernetesVersion("v1.33.0-rc.1", out var version).Should().BeTrue();
        version.Should().Be((33, 0));
    }

    [Theory]
    [InlineData("10.244.0.0/33", "10.96.0.0/12", "-PodCidr")]
    [InlineData("10.244.0.0", "10.96.0.0/12", "-PodCidr")]
    [InlineData("192.168.0.0/16", "10.96.0.300/12", "-ServiceCidr")]
    public void An_invalid_cidr_is_rejected_naming_the_parameter(string pods, string services, string parameter)
    {
        var error = Rejected(new FleetClusterSpec { Name = "dev", Provider = "Docker", KubernetesVersion = "v1.32.3", PodCidr = pods, ServiceCidr = services });

        error.ErrorId.Should().Be(LifecycleErrorIds.CidrInvalid);
        error.Message.Should().StartWith(parameter).And.Contain("not a valid CIDR");
    }

    [Fact]
    public void Overlapping_pod_and_service_ranges_are_rejected()
    {
        var error = Rejected(new FleetClusterSpec
        {
            Name = "dev", Provider = "Docker", KubernetesVersion = "v1.32.3", PodCidr = "10.96.0.0/16", ServiceCidr = "10.96.0.0/12",
        });

        error.ErrorId.Should().Be(LifecycleErrorIds.CidrOverlap);
        error.Message.Should().Contain("-PodCidr 10.96.0.0/16").And.Contain("-ServiceCidr 10.96.0.0/12").And.Contain("overlap");
    }

    [Fact]
    public void A_pod_range_overlapping_another_cluster_of_the_fleet_is_rejected_but_the_cluster_itself_does_not_count()
    {
        var fleet = new[]
        {
            new FleetCluster { Name = "prod-01", Network = new FleetClusterNetwork { PodCidr = "192.168.128.0/17" } },
            new FleetCluster { Name = "dev-use1-01", Network = new FleetClusterNetwork { PodCidr = "192.168.0.0/16" } },
        };

        var error = Rejected(Spec("Docker"), fleet);

        error.ErrorId.Should().Be(LifecycleErrorIds.CidrOverlap);
        error.Message.Should().Contain("prod-01").And.Contain("192.168.128.0/17");
        ClusterSpecValidator.Validate(WithPods(Spec("Docker"), "10.10.0.0/16"), fleet);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(7)]
    public void An_even_or_too_large_control_plane_is_rejected(int replicas)
    {
        var error = Rejected(new FleetClusterSpec { Name = "dev", Provider = "Docker", KubernetesVersion = "v1.32.3", ControlPlaneReplicas = replicas });

        error.ErrorId.Should().Be(LifecycleErrorIds.ControlPlaneReplicasInvalid);
        error.Message.Should().Contain($"-ControlPlaneReplicas {replicas}").And.Contain("1, 3 or 5");
    }

    [Fact]
    public void Negative_workers_are_rejected()
    {
        Rejected(new FleetClusterSpec { Name = "dev", Provider = "Docker", KubernetesVersion = "v1.32.3", WorkerReplicas = -1 })
            .ErrorId.Should().Be(LifecycleErrorIds.WorkerReplicasInvalid);
    }

    [Fact]
    public void An_unknown_provider_is_rejected_listing_the_known_ones()
    {
        var error = Rejected(new FleetClusterSpec { Name = "dev", Provider = "vSphere", KubernetesVersion = "v1.32.3" });

        error.ErrorId.Should().Be(LifecycleErrorIds.ProviderUnknown);
        error.Message.Should().Contain("-Provider 'vSphere'").And.Contain("AWS, Azure, Docker");
    }

    [Theory]
    [InlineData("AWS")]
    [InlineData("Azure")]
    public void Cloud_providers_need_a_region(string provider)
    {
        var error = Rejected(new FleetClusterSpec { Name = "dev", Provider = provider, KubernetesVersion = "v1.32.3" });

        error.ErrorId.Should().Be(LifecycleErrorIds.ProviderParameterInvalid);
        error.Message.Should().Contain("-Region is required").And.Contain(provider);
    }

    [Fact]
    public void Aws_zones_must_belong_to_the_region_and_not_repeat()
    {
        var foreign = Rejected(new FleetClusterSpec
        {
            Name = "dev", Provider = "AWS", Region = "us-east-1", KubernetesVersion = "v1.32.3", AvailabilityZones = ["us-east-1a", "eu-west-1b"],
        });
        foreign.Message.Should().Contain("-AvailabilityZone eu-west-1b").And.Contain("us-east-1");

        Rejected(new FleetClusterSpec
        {
            Name = "dev", Provider = "AWS", Region = "us-east-1", KubernetesVersion = "v1.32.3", AvailabilityZones = ["us-east-1a", "us-east-1a"],
        }).Message.Should().Contain("twice");
    }

    [Fact]
    public void The_aws_vpc_must_not_overlap_the_pod_range()
    {
        var error = Rejected(new FleetClusterSpec
        {
            Name = "dev", Provider = "AWS", Region = "us-east-1", KubernetesVersion = "v1.32.3", PodCidr = "10.0.0.0/16",
        });

        error.ErrorId.Should().Be(LifecycleErrorIds.CidrOverlap);
        error.Message.Should().Contain("-VpcCidr 10.0.0.0/16");
    }

    [Fact]
    public void Cluster_class_mode_checks_the_class_name_and_not_the_provider_parameters()
    {
        ClusterSpecValidator.Validate(new FleetClusterSpec { Name = "dev", Provider = "AWS", KubernetesVersion = "v1.32.3", ClusterClass = "quick-start" });

        var error = Rejected(new FleetClusterSpec { Name = "dev", Provider = "AWS", KubernetesVersion = "v1.32.3", ClusterClass = "Quick_Start" });
        error.ErrorId.Should().Be(LifecycleErrorIds.ClusterClassInvalid);
        error.Message.Should().Contain("-ClusterClass 'Quick_Start'");
    }

    [Fact]
    public void A_bad_namespace_is_rejected()
    {
        Rejected(new FleetClusterSpec { Name = "dev", Provider = "Docker", KubernetesVersion = "v1.32.3", Namespace = "Clusters" })
            .ErrorId.Should().Be(LifecycleErrorIds.NamespaceInvalid);
    }
}
