using System.Text;
using k8s;
using k8s.Models;
using MultiCluster.Engine.Dns;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Tests.FanOut;
using MultiCluster.Engine.Traffic;
using MultiCluster.Testing;

namespace MultiCluster.Engine.Tests.Traffic;

/// <summary>Set-FleetExternalDns's engine against emulated clusters running an ExternalDNS Deployment each and holding the Service shop/web.</summary>
public sealed class ExternalDnsAnnotationServiceTests : IAsyncLifetime
{
    private const string HealthCheck = "abcdef11-2222-3333-4444-555555fedcba";
    private const string Unrelated = "example.com/owner";
    private EmulatedFleet _fleet = null!;
    private EmulatorConnector _connector = null!;
    private ExternalDnsAnnotationService _service = null!;
    private List<FleetCluster> _clusters = null!;

    public async Task InitializeAsync()
    {
        _fleet = await EmulatedFleet.StartAsync(3, "xdns");
        _connector = new EmulatorConnector(_fleet);
        _clusters =
        [
            _connector.Clusters[0] with { Region = "us-east-1" },
            _connector.Clusters[1] with { Region = "us-west-2" },
            _connector.Clusters[2] with { Region = "eu-central-1" },
        ];
        for (var i = 0; i < 3; i++)
        {
            using var admin = Admin(i);
            await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });
            await admin.CoreV1.CreateNamespacedServiceAsync(new V1Service
            {
                Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "shop", Annotations = new Dictionary<string, string> { [Unrelated] = "team-a" } },
                Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 443 }] },
            }, "shop");
            await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "external-dns" } });
            await admin.AppsV1.CreateNamespacedDeploymentAsync(ExternalDns($"--txt-owner-id={_clusters[i].Name}", "--domain-filter=example.com"), "external-dns");
        }
        _service = new ExternalDnsAnnotationService(_connector);
    }

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    private Kubernetes Admin(int cluster) =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(new MemoryStream(Encoding.UTF8.GetBytes(_fleet[cluster].Kubeconfig()))));

    private static V1Deployment ExternalDns(params string[] args) => new()
    {
        Metadata = new V1ObjectMeta { Name = "external-dns", NamespaceProperty = "external-dns" },
        Spec = new V1DeploymentSpec
        {
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "external-dns" } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "external-dns" } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "external-dns", Image = "registry.k8s.io/external-dns/external-dns:v0.15.0", Args = ["--source=service", "--provider=aws", .. args] }] },
            },
        },
    };

    private async Task<IDictionary<string, string>> AnnotationsAsync(int cluster)
    {
        using var admin = Admin(cluster);
        return (await admin.CoreV1.ReadNamespacedServiceAsync("web", "shop")).Metadata.Annotations ?? new Dictionary<string, string>();
    }

    private ExternalDnsRequest Request(DnsRoutingPolicy policy, bool whatIf = false) => new()
    {
        Kind = "Service", Namespace = "shop", Name = "web", Hostname = "shop.example.com", Policy = policy, Clusters = _clusters, WhatIf = whatIf,
    };

    private async Task<FleetInputException> Refused(ExternalDnsRequest request)
    {
        var set = () => _service.SetAsync(request);
        return (await set.Should().ThrowAsync<FleetInputException>()).Which;
    }

    private async Task NothingAnnotatedAsync()
    {
        for (var i = 0; i < 3; i++)
            (await AnnotationsAsync(i)).Should().Equal(new Dictionary<string, string> { [Unrelated] = "team-a" }, "nothing changes when the command is refused");
    }

    [Fact]
    public async Task Weighted_annotations_previewed_written_read_back_then_Unchanged_and_a_switch_to_geolocation_removes_the_weights()
    {
        var weighted = Request(DnsRoutingPolicy.Weighted) with { Weights = new Dictionary<string, long> { [_clusters[0].Name] = 10, [_clusters[1].Name] = 0 }, Ttl = 60 };

        var preview = await _service.SetAsync(weighted with { WhatIf = true });
        preview.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.WouldChange);
        preview[0].Changes.Should().Equal(
            $"{ExternalDnsAnnotations.AwsWeight}=10", $"{ExternalDnsAnnotations.Hostname}=shop.example.com",
            $"{ExternalDnsAnnotations.SetIdentifier}={_clusters[0].Name}", $"{ExternalDnsAnnotations.Ttl}=60");
        await NothingAnnotatedAsync();

        var written = await _service.SetAsync(weighted);
        written.Should().HaveCount(3);
        written.Select(r => (r.Cluster, r.SetIdentifier, r.Policy, r.Routing, r.OwnerId, r.Action)).Should().Equal(
            (_clusters[0].Name, _clusters[0].Name, "Weighted", "10", _clusters[0].Name, FleetResourceAction.Configured),
            (_clusters[1].Name, _clusters[1].Name, "Weighted", "0", _clusters[1].Name, FleetResourceAction.Configured),
            (_clusters[2].Name, _clusters[2].Name, "Weighted", "1", _clusters[2].Name, FleetResourceAction.Configured));
        (await AnnotationsAsync(1)).Should().Equal(new Dictionary<string, string>
        {
            [Unrelated] = "team-a", [ExternalDnsAnnotations.Hostname] = "shop.example.com", [ExternalDnsAnnotations.SetIdentifier] = _clusters[1].Name,
            [ExternalDnsAnnotations.Ttl] = "60", [ExternalDnsAnnotations.AwsWeight] = "0",
        });

        var again = await _service.SetAsync(weighted);
        again.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged && r.Changes.Count == 0);

        var geo = Request(DnsRoutingPolicy.Geolocation) with
        {
            Locations = new Dictionary<string, string> { [_clusters[0].Name] = "NA", [_clusters[1].Name] = "US-CA", [_clusters[2].Name] = "*" },
            HealthChecks = new Dictionary<string, string> { [_clusters[0].Name] = HealthCheck },
        };
        var moved = await _service.SetAsync(geo);
        moved.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Configured);
        moved[1].Changes.Should().Equal(
            $"{ExternalDnsAnnotations.AwsGeolocationCountryCode}=US", $"{ExternalDnsAnnotations.AwsGeolocationSubdivisionCode}=CA", $"{ExternalDnsAnnotations.AwsWeight}-");
        (await AnnotationsAsync(0)).Should().Equal(new Dictionary<string, string>
        {
            [Unrelated] = "team-a", [ExternalDnsAnnotations.Hostname] = "shop.example.com", [ExternalDnsAnnotations.SetIdentifier] = _clusters[0].Name,
            [ExternalDnsAnnotations.Ttl] = "60", [ExternalDnsAnnotations.AwsGeolocationContinentCode] = "NA", [ExternalDnsAnnotations.AwsHealthCheckId] = HealthCheck,
        });
        (await AnnotationsAsync(2)).Should().Contain(ExternalDnsAnnotations.AwsGeolocationCountryCode, "*").And.NotContainKey(ExternalDnsAnnotations.AwsWeight);
        (await _service.SetAsync(geo)).Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);
    }

    [Fact]
    public async Task An_Ingress_is_annotated_like_a_Service_and_reads_back_the_same()
    {
        for (var i = 0; i < 3; i++)
        {
            using var admin = Admin(i);
            await admin.NetworkingV1.CreateNamespacedIngressAsync(new V1Ingress
            {
                Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "shop" },
                Spec = new V1IngressSpec { DefaultBackend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = "web", Port = new V1ServiceBackendPort { Number = 443 } } } },
            }, "shop");
        }

        var latency = Request(DnsRoutingPolicy.Latency) with { Kind = "Ingress" };
        var written = await _service.SetAsync(latency);

        written.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Configured);
        for (var i = 0; i < 3; i++)
        {
            using var admin = Admin(i);
            var ingress = await admin.NetworkingV1.ReadNamespacedIngressAsync("web", "shop");
            ingress.Metadata.Annotations.Should().Equal(new Dictionary<string, string>
            {
                [ExternalDnsAnnotations.Hostname] = "shop.example.com", [ExternalDnsAnnotations.SetIdentifier] = _clusters[i].Name,
                [ExternalDnsAnnotations.AwsRegion] = _clusters[i].Region!,
            });
        }
        (await AnnotationsAsync(0)).Should().Equal(new Dictionary<string, string> { [Unrelated] = "team-a" }, "the Service of the same name is not the Ingress");
        (await _service.SetAsync(latency)).Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);
    }

    [Fact]
    public async Task Bad_routing_input_and_a_missing_object_are_refused_before_anything_changes()
    {
        var pair = _clusters.Take(2).ToList();
        (await Refused(Request(DnsRoutingPolicy.Weighted) with { Weights = _clusters.ToDictionary(c => c.Name, _ => 0L) })).Should().BeEquivalentTo(new
        {
            ErrorId = DnsRecordErrorIds.DnsWeightInvalid, Category = FleetErrorCategory.InvalidArgument, Target = "shop.example.com",
            Message = "The weights of shop.example.com sum to zero, so Route 53 would answer with every record set equally; give at least one cluster a weight above 0. Nothing was changed.",
        }, o => o.ExcludingMissingMembers());
        (await Refused(Request(DnsRoutingPolicy.Failover) with { Clusters = pair, Primary = pair[0].Name })).Should().BeEquivalentTo(new
        {
            ErrorId = DnsRecordErrorIds.DnsHealthCheckMissing, Category = FleetErrorCategory.InvalidArgument, Target = pair[0].Name,
        }, o => o.ExcludingMissingMembers());
        (await Refused(Request(DnsRoutingPolicy.Geolocation) with
        {
            Locations = new Dictionary<string, string> { [_clusters[0].Name] = "EU", [_clusters[1].Name] = "eu", [_clusters[2].Name] = "*" },
        })).Should().BeEquivalentTo(new
        {
            ErrorId = DnsRecordErrorIds.DnsLocationDuplicate, Category = FleetErrorCategory.InvalidArgument, Target = _clusters[1].Name,
            Message = $"Clusters '{_clusters[0].Name}' and '{_clusters[1].Name}' both claim location 'eu'; Route 53 allows one record set per location. Nothing was changed.",
        }, o => o.ExcludingMissingMembers());
        (await Refused(Request(DnsRoutingPolicy.Weighted) with { Weights = new Dictionary<string, long> { ["prod-nowhere"] = 5 } })).Should().BeEquivalentTo(new
        {
            ErrorId = FleetErrorIds.ClusterNotFound, Category = FleetErrorCategory.ObjectNotFound, Target = "prod-nowhere",
        }, o => o.ExcludingMissingMembers());
        (await Refused(Request(DnsRoutingPolicy.Latency) with { Kind = "Ingress", Name = "nowhere" })).Should().BeEquivalentTo(new
        {
            ErrorId = ExternalDnsErrorIds.ExternalDnsObjectNotFound, Category = FleetErrorCategory.ObjectNotFound, Target = _clusters[0].Name,
            Message = $"Cluster '{_clusters[0].Name}' has no Ingress shop/nowhere to annotate. Nothing was changed.",
        }, o => o.ExcludingMissingMembers());
        await NothingAnnotatedAsync();
    }

    [Fact]
    public async Task ExternalDNS_must_run_cover_the_host_and_own_its_records_alone_unless_the_check_is_skipped()
    {
        (await Refused(Request(DnsRoutingPolicy.Latency) with { Hostname = "shop.example.org" })).Should().BeEquivalentTo(new
        {
            ErrorId = ExternalDnsErrorIds.ExternalDnsDomainNotCovered, Category = FleetErrorCategory.InvalidArgument, Target = _clusters[0].Name,
            Message = $"No --domain-filter of the ExternalDNS on cluster '{_clusters[0].Name}' (example.com) covers shop.example.org, so it would not publish it. Nothing was changed.",
        }, o => o.ExcludingMissingMembers());

        using (var admin = Admin(1))
            await admin.AppsV1.ReplaceNamespacedDeploymentAsync(ExternalDns($"--txt-owner-id={_clusters[0].Name}", "--domain-filter=example.com"), "external-dns", "external-dns");
        (await Refused(Request(DnsRoutingPolicy.Latency))).Should().BeEquivalentTo(new
        {
            ErrorId = ExternalDnsErrorIds.ExternalDnsOwnerConflict, Category = FleetErrorCategory.InvalidOperation, Target = $"{_clusters[0].Name}, {_clusters[1].Name}",
        }, o => o.ExcludingMissingMembers());

        using (var admin = Admin(2))
            await admin.AppsV1.DeleteNamespacedDeploymentAsync("external-dns", "external-dns");
        var latency = Request(DnsRoutingPolicy.Latency) with { Clusters = [_clusters[0], _clusters[2]] };
        (await Refused(latency)).Should().BeEquivalentTo(new
        {
            ErrorId = ExternalDnsErrorIds.ExternalDnsNotFound, Category = FleetErrorCategory.ObjectNotFound, Target = _clusters[2].Name,
        }, o => o.ExcludingMissingMembers());
        await NothingAnnotatedAsync();

        var skipped = await _service.SetAsync(latency with { SkipExternalDnsCheck = true });
        skipped.Select(r => (r.Routing, r.OwnerId, r.Action)).Should().Equal(("us-east-1", "", FleetResourceAction.Configured), ("eu-central-1", "", FleetResourceAction.Configured));
        (await AnnotationsAsync(2)).Should().Contain(ExternalDnsAnnotations.AwsRegion, "eu-central-1");
    }
}
