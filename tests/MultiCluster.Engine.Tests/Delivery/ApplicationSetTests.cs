using System.Text.Json.Nodes;
using MultiCluster.Engine.Delivery;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Reporting;
using MultiCluster.Engine.Tests.Connections;
using MultiCluster.Engine.Tests.FanOut;
using MultiCluster.Testing;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Delivery;

/// <summary>ApplicationSets built from the fleet, checked whole and against the real ApplicationSet CRD in an emulated management cluster.</summary>
public sealed class ApplicationSetTests : IAsyncLifetime
{
    private static readonly FleetCluster Use1 = new() { Name = "prod-use1", Region = "us-east-1", Labels = new Dictionary<string, string> { ["env"] = "prod" } };
    private static readonly FleetCluster Usw2 = new() { Name = "prod-usw2", Region = "us-west-2", Labels = new Dictionary<string, string> { ["env"] = "prod" } };
    private static readonly FleetCluster Euc1 = new() { Name = "prod-euc1", Region = "eu-central-1", Labels = new Dictionary<string, string> { ["env"] = "prod", ["tier"] = "gold" } };

    private EmulatedFleet _fleet = null!;
    private EmulatorConnector _connector = null!;

    public async Task InitializeAsync()
    {
        _fleet = await EmulatedFleet.StartAsync(1, "appset");
        _connector = new EmulatorConnector(_fleet);
        if (SharedFiles.Crds is not null) SharedCrds.LoadInto(_fleet[0], "argo-cd");
        _fleet[0].CreateObject(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "argocd" } });
    }

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    private static ApplicationSetRequest Shop(bool goTemplate = false) => new()
    {
        Name = "shop",
        RepoUrl = "https://git.example.com/shop.git",
        Revision = "main",
        Path = goTemplate ? "overlays/{{.region}}" : "overlays/{{region}}",
        DestinationNamespace = "shop",
        Clusters = [Use1, Usw2, Euc1],
        Parameters = new Dictionary<string, object?>
        {
            ["replicas"] = new Dictionary<string, object?> { ["prod-use1"] = 10, ["prod-usw2"] = 8, ["PROD-EUC1"] = 6 },
        },
        HelmParameters = new Dictionary<string, string> { ["replicaCount"] = goTemplate ? "{{.replicas}}" : "{{replicas}}" },
        ValueFiles = ["values.yaml", goTemplate ? "values-{{.region}}.yaml" : "values-{{region}}.yaml"],
        GoTemplate = goTemplate,
        AutoSync = true,
        CreateNamespace = true,
    };

    private static FleetInputException Refused(ApplicationSetRequest request)
    {
        var build = () => ApplicationSetDefinition.Build(request);
        return build.Should().Throw<FleetInputException>().Which;
    }

    [Fact]
    public void A_list_generator_carries_cluster_region_labels_and_per_cluster_replicas_into_a_region_overlay_with_automated_sync()
    {
        var appSet = ApplicationSetDefinition.Build(Shop());

        appSet.ToYaml().Should().Be("""
            apiVersion: argoproj.io/v1alpha1
            kind: ApplicationSet
            metadata:
              name: shop
              namespace: argocd
              labels:
                app.kubernetes.io/managed-by: multicluster
            spec:
              generators:
              - list:
                  elements:
                  - cluster: prod-use1
                    env: prod
                    region: us-east-1
                    replicas: "10"
                  - cluster: prod-usw2
                    env: prod
                    region: us-west-2
                    replicas: "8"
                  - cluster: prod-euc1
                    env: prod
                    region: eu-central-1
                    replicas: "6"
                    tier: gold
              template:
                metadata:
                  name: '{{cluster}}-shop'
                  labels:
                    app.kubernetes.io/managed-by: multicluster
                    multicluster.io/applicationset: shop
                    multicluster.io/cluster: '{{cluster}}'
                spec:
                  destination:
                    name: '{{cluster}}'
                    namespace: shop
                  project: default
                  source:
                    helm:
                      parameters:
                      - name: replicaCount
                        value: '{{replicas}}'
                      valueFiles:
                      - values.yaml
                      - values-{{region}}.yaml
                    path: overlays/{{region}}
                    repoURL: https://git.example.com/shop.git
                    targetRevision: main
                  syncPolicy:
                    automated:
                      prune: true
                      selfHeal: true
                    syncOptions:
                    - CreateNamespace=true

            """);
    }

    [Fact]
    public void Go_templates_keep_numbers_and_refuse_missing_keys()
    {
        var spec = ApplicationSetDefinition.Build(Shop(goTemplate: true)).Json["spec"]!;

        spec["goTemplate"]!.GetValue<bool>().Should().BeTrue();
        spec["goTemplateOptions"]!.AsArray().Select(o => o!.ToString()).Should().Equal("missingkey=error");
        var elements = spec["generators"]![0]!["list"]!["elements"]!.AsArray();
        elements.Should().HaveCount(3);
        elements.Select(e => e!["replicas"]!.GetValue<long>()).Should().Equal(10, 8, 6);
        spec["template"]!["metadata"]!["name"]!.ToString().Should().Be("{{.cluster}}-shop");
        spec["template"]!["spec"]!["destination"]!["name"]!.ToString().Should().Be("{{.cluster}}");
    }

    [Fact]
    public void A_template_parameter_no_element_defines_is_refused_and_so_is_one_a_single_element_lacks()
    {
        var typo = Refused(Shop() with { Path = "overlays/{{regoin}}" });
        typo.Should().BeEquivalentTo(new
        {
            ErrorId = DeliveryErrorIds.TemplateParameterUndefined, Category = FleetErrorCategory.InvalidArgument, Target = "regoin",
            Message = "The template 'overlays/{{regoin}}' uses parameter 'regoin', but no element defines it (elements carry cluster, region, the fleet labels and -Parameter). Nothing was changed.",
        }, o => o.ExcludingMissingMembers());

        var goTypo = Refused(Shop(goTemplate: true) with { Revision = "{{ .branch }}" });
        goTypo.Target.Should().Be("branch");

        var partial = Refused(Shop() with { Parameters = new Dictionary<string, object?> { ["replicas"] = new Dictionary<string, object?> { ["prod-use1"] = 10 } } });
        partial.Message.Should().Be("The template '{{replicas}}' uses parameter 'replicas', but the element of prod-usw2, prod-euc1 does not define it. Nothing was changed.");

        var tierEverywhere = Refused(Shop() with { Path = "overlays/{{tier}}" });
        tierEverywhere.Message.Should().Contain("the element of prod-use1, prod-usw2 does not define it");
    }

    private static readonly FleetCluster Labelled = Use1 with
    {
        Labels = new Dictionary<string, string>
        {
            ["cost-center"] = "cc-42", ["team.example.com/tier"] = "gold", ["region"] = "us-east-1", ["env"] = "prod",
        },
    };

    [Fact]
    public void Every_fleet_label_is_an_element_key_as_spelled_and_templates_reach_it_in_both_template_languages()
    {
        var reporter = new RecordingReporter();
        var request = Shop() with
        {
            Clusters = [Labelled, Usw2 with { Labels = new Dictionary<string, string> { ["cost-center"] = "cc-7", ["team.example.com/tier"] = "silver" } }],
            Parameters = new Dictionary<string, object?>(),
            HelmParameters = new Dictionary<string, string> { ["costCenter"] = "{{cost-center}}", ["tier"] = "{{ team.example.com/tier }}" },
        };

        JsonNode spec;
        using (FleetCallContext.Use(reporter)) spec = ApplicationSetDefinition.Build(request).Json["spec"]!;

        spec["generators"]![0]!["list"]!["elements"]!.ToJsonString().Should().Be("""
            [{"cluster":"prod-use1","region":"us-east-1","cost-center":"cc-42","env":"prod","team.example.com/tier":"gold"},{"cluster":"prod-usw2","region":"us-west-2","cost-center":"cc-7","team.example.com/tier":"silver"}]
            """.Trim());
        reporter.Warnings.Should().BeEmpty("a region label equal to the cluster's region loses nothing");

        var go = request with
        {
            GoTemplate = true, Path = "overlays/{{.region}}", ValueFiles = [],
            HelmParameters = new Dictionary<string, string> { ["costCenter"] = "{{ index . \"cost-center\" }}", ["tier"] = "{{index . \"team.example.com/tier\" | upper}}" },
        };
        ApplicationSetDefinition.Build(go).Json["spec"]!["template"]!["spec"]!["source"]!["helm"]!["parameters"]!.AsArray().Select(p => p!["value"]!.GetValue<string>())
            .Should().Equal("{{ index . \"cost-center\" }}", "{{index . \"team.example.com/tier\" | upper}}");

        // The template-parameter check still holds for such keys, in both languages.
        var fastTypo = Refused(request with { HelmParameters = new Dictionary<string, string> { ["costCenter"] = "{{cost-centre}}" } });
        fastTypo.Should().BeEquivalentTo(new { ErrorId = DeliveryErrorIds.TemplateParameterUndefined, Target = "cost-centre" }, o => o.ExcludingMissingMembers());
        var goTypo = Refused(go with { HelmParameters = new Dictionary<string, string> { ["costCenter"] = "{{ index . \"cost-centre\" }}" } });
        goTypo.Should().BeEquivalentTo(new
        {
            ErrorId = DeliveryErrorIds.TemplateParameterUndefined, Target = "cost-centre",
            Message = "The template '{{ index . \"cost-centre\" }}' uses parameter 'cost-centre', but no element defines it (elements carry cluster, region, the fleet labels and -Parameter). Nothing was changed.",
        }, o => o.ExcludingMissingMembers());
        goTypo.RecommendedAction.Should().EndWith("A Go template reads a key that is no identifier (a label such as cost-center) with {{ index . \"cost-center\" }}.");
        var onlyOne = Refused(go with { Clusters = [Labelled, Usw2], HelmParameters = new Dictionary<string, string> { ["tier"] = "{{ index . \"team.example.com/tier\" }}" } });
        onlyOne.Message.Should().Contain("the element of prod-usw2 does not define it");
    }

    [Fact]
    public void A_label_the_elements_cannot_carry_under_its_own_key_is_left_out_with_a_warning_never_silently()
    {
        var reporter = new RecordingReporter();
        var clusters = new[]
        {
            Use1 with { Labels = new Dictionary<string, string> { ["values"] = "x", ["region"] = "east", ["replicas"] = "2", ["cluster"] = "prod-use1" } },
            Usw2 with { Labels = new Dictionary<string, string> { ["values"] = "y", ["replicas"] = "2" } },
        };

        JsonArray elements;
        using (FleetCallContext.Use(reporter))
            elements = ApplicationSetDefinition.Build(Shop() with { Clusters = clusters, Parameters = new Dictionary<string, object?> { ["replicas"] = 5 } })
                .Json["spec"]!["generators"]![0]!["list"]!["elements"]!.AsArray();

        elements.ToJsonString().Should().Be("""
            [{"cluster":"prod-use1","region":"us-east-1","replicas":"5"},{"cluster":"prod-usw2","region":"us-west-2","replicas":"5"}]
            """.Trim());
        reporter.Warnings.Should().BeEquivalentTo(
            "Fleet label 'region' of prod-use1 is not in the list elements: the element's 'region' is the cluster's own region.",
            "Fleet label 'values' of prod-use1, prod-usw2 is not in the list elements: Argo CD's list generator reads an element's 'values' as a map of its own.",
            "Fleet label 'replicas' of prod-use1, prod-usw2 is not in the list elements: -Parameter 'replicas' gives the element's 'replicas'.");

        var values = Refused(Shop() with { Parameters = new Dictionary<string, object?> { ["values"] = "x" } });
        values.Should().BeEquivalentTo(new
        {
            ErrorId = DeliveryErrorIds.NameInvalid, Target = "values",
            Message = "-Parameter 'values' would replace the element's 'values', which Argo CD's list generator reads as a map of its own; choose another name.",
        }, o => o.ExcludingMissingMembers());
    }

    [Fact]
    public void A_parameter_for_a_cluster_outside_the_set_and_a_bad_name_are_refused()
    {
        var unknown = Refused(Shop() with { Parameters = new Dictionary<string, object?> { ["replicas"] = new Dictionary<string, object?> { ["prod-use1"] = 1, ["prod-apse1"] = 2, ["prod-usw2"] = 3, ["prod-euc1"] = 4 } } });
        unknown.ErrorId.Should().Be(DeliveryErrorIds.ParameterClusterUnknown);
        unknown.Target.Should().Be("prod-apse1");
        unknown.Message.Should().StartWith("-Parameter 'replicas' gives a value for cluster 'prod-apse1', which is not one of the ApplicationSet's clusters (prod-use1, prod-usw2, prod-euc1).");

        Refused(Shop() with { Parameters = new Dictionary<string, object?> { ["region"] = "x" } }).ErrorId.Should().Be(DeliveryErrorIds.NameInvalid);
        Refused(Shop() with { Name = "Shop_1" }).ErrorId.Should().Be(DeliveryErrorIds.NameInvalid);
    }

    [Fact]
    public void Waves_become_RollingSync_steps_by_cluster_label_and_a_cluster_in_no_wave_is_refused()
    {
        var waves = new[] { new ClusterPlacement { Names = ["prod-euc1"] }, new ClusterPlacement { Names = ["prod-us*"] } };

        var strategy = ApplicationSetDefinition.Build(Shop() with { Waves = waves }).Json["spec"]!["strategy"]!;

        strategy.ToJsonString().Should().Be("""
            {"type":"RollingSync","rollingSync":{"steps":[{"matchExpressions":[{"key":"multicluster.io/cluster","operator":"In","values":["prod-euc1"]}]},{"matchExpressions":[{"key":"multicluster.io/cluster","operator":"In","values":["prod-use1","prod-usw2"]}]}]}}
            """.Trim());
        var incomplete = Refused(Shop() with { Waves = [waves[0]] });
        incomplete.Should().BeEquivalentTo(new
        {
            ErrorId = DeliveryErrorIds.WaveIncomplete, Target = "prod-use1",
            Message = "Clusters prod-use1, prod-usw2 are in no wave (-Wave); RollingSync would never sync them.",
        }, o => o.ExcludingMissingMembers());
    }

    [Fact]
    public void A_cluster_generator_selects_the_registered_clusters_by_fleet_label_and_knows_its_parameters()
    {
        var request = Shop() with
        {
            ClusterGenerator = true, ClusterSelector = "env=prod,tier in (gold,silver)", Parameters = new Dictionary<string, object?> { ["replicas"] = 3 },
            Path = "overlays/{{metadata.labels.multicluster.io/region}}", HelmParameters = new Dictionary<string, string> { ["replicaCount"] = "{{values.replicas}}" },
            ValueFiles = [],
        };

        var spec = ApplicationSetDefinition.Build(request).Json["spec"]!;

        spec["generators"]!.ToJsonString().Should().Be("""
            [{"clusters":{"selector":{"matchLabels":{"app.kubernetes.io/managed-by":"multicluster","env":"prod"},"matchExpressions":[{"key":"tier","operator":"In","values":["gold","silver"]}]},"values":{"replicas":"3"}}}]
            """.Trim());
        spec["template"]!["spec"]!["destination"]!["name"]!.ToString().Should().Be("{{name}}");
        Refused(request with { Path = "overlays/{{region}}" }).Message.Should().Be(
            "The template 'overlays/{{region}}' uses parameter 'region', but the cluster generator gives name, nameNormalized, server, project, metadata.labels.<key>, metadata.annotations.<key> and values.<parameter>. Nothing was changed.");
    }

    [RequiresSharedCrdsFact]
    public async Task The_real_ApplicationSet_CRD_accepts_it_a_second_apply_is_Unchanged_and_a_dry_run_of_a_change_changes_nothing()
    {
        var service = new ApplicationSetService(_connector);
        var management = _connector.Clusters[0];
        var waves = new[] { new ClusterPlacement { Names = ["prod-euc1"] }, new ClusterPlacement { Names = ["*"] } };

        var preview = await service.ApplyAsync(management, ApplicationSetDefinition.Build(Shop() with { Waves = waves }), whatIf: true);
        var created = await service.ApplyAsync(management, ApplicationSetDefinition.Build(Shop() with { Waves = waves }), whatIf: false);
        var again = await service.ApplyAsync(management, ApplicationSetDefinition.Build(Shop() with { Waves = waves }), whatIf: false);
        var change = await service.ApplyAsync(management, ApplicationSetDefinition.Build(Shop() with { Revision = "v2" }), whatIf: true);
        var goTemplate = await service.ApplyAsync(management, ApplicationSetDefinition.Build(Shop(goTemplate: true) with { Name = "shop-go" }), whatIf: false);
        var labelled = await service.ApplyAsync(management, ApplicationSetDefinition.Build(Shop() with
        {
            Name = "shop-labels", Clusters = [Labelled], Parameters = new Dictionary<string, object?>(),
            HelmParameters = new Dictionary<string, string> { ["tier"] = "{{team.example.com/tier}}" },
        }), whatIf: false);

        preview.Action.Should().Be(FleetResourceAction.WouldCreate);
        created.Should().BeEquivalentTo(new { Cluster = management.Name, Kind = "ApplicationSet", Namespace = "argocd", Name = "shop", Action = FleetResourceAction.Created },
            o => o.ExcludingMissingMembers());
        again.Action.Should().Be(FleetResourceAction.Unchanged);
        change.Action.Should().Be(FleetResourceAction.WouldChange);
        goTemplate.Action.Should().Be(FleetResourceAction.Created);
        labelled.Action.Should().Be(FleetResourceAction.Created);
        var stored = _fleet[0].Store.Get(_fleet[0].Registry.Find("argoproj.io", "applicationsets")!, "argocd", "shop")!;
        stored["spec"]!["template"]!["spec"]!["source"]!["targetRevision"]!.ToString().Should().Be("main");
        stored["spec"]!["strategy"]!["type"]!.ToString().Should().Be("RollingSync");
    }

    [RequiresSharedCrdsFact]
    public async Task Applications_are_read_one_per_cluster_with_their_sync_and_health()
    {
        foreach (var (cluster, sync, health) in new[] { ("prod-use1", "Synced", "Healthy"), ("prod-euc1", "OutOfSync", "Progressing") })
        {
            _fleet[0].CreateObject(JsonNode.Parse($$$"""
                {"apiVersion":"argoproj.io/v1alpha1","kind":"Application",
                 "metadata":{"name":"{{{cluster}}}-shop","namespace":"argocd","labels":{"multicluster.io/applicationset":"shop"} },
                 "spec":{"project":"default","source":{"repoURL":"https://git.example.com/shop.git","path":"overlays","targetRevision":"main"},
                         "destination":{"name":"{{{cluster}}}","namespace":"shop"} },
                 "status":{"sync":{"status":"{{{sync}}}","revision":"abc123"},"health":{"status":"{{{health}}}"} } }
                """)!.AsObject());
        }
        var service = new ApplicationSetService(_connector);

        var applications = await service.GetApplicationsAsync(_connector.Clusters[0], "argocd", "shop");

        applications.Should().HaveCount(2);
        applications[0].Should().BeEquivalentTo(new FleetApplication
        {
            Cluster = "prod-euc1", Name = "prod-euc1-shop", ApplicationSet = "shop", ManagementCluster = _fleet[0].Name, Namespace = "shop",
            SyncStatus = "OutOfSync", HealthStatus = "Progressing", Revision = "abc123", Message = "",
        });
        applications[1].Should().BeEquivalentTo(new { Cluster = "prod-use1", SyncStatus = "Synced", HealthStatus = "Healthy" }, o => o.ExcludingMissingMembers());
        (await service.GetApplicationsAsync(_connector.Clusters[0], "argocd", "other")).Should().BeEmpty();
    }

    [RequiresSharedCrdsFact]
    public async Task A_management_cluster_slower_than_the_timeout_is_a_ClusterTimeout_when_reading_and_when_applying()
    {
        await _fleet[0].SetFaultsAsync(new FaultSettings { Latency = TimeSpan.FromSeconds(30) });
        var service = new ApplicationSetService(_connector);
        var oneSecond = new FanOutOptions { TimeoutSeconds = 1 };
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var read = () => service.GetApplicationsAsync(_connector.Clusters[0], "argocd", null, oneSecond);
        var apply = () => service.ApplyAsync(_connector.Clusters[0], ApplicationSetDefinition.Build(Shop()), whatIf: false, oneSecond);

        (await read.Should().ThrowAsync<FleetException>()).Which.ErrorId.Should().Be(FleetErrorIds.ClusterTimeout);
        (await apply.Should().ThrowAsync<FleetException>()).Which.ErrorId.Should().Be(FleetErrorIds.ClusterTimeout);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(25), "each call is stopped at its timeout, not after the 30 s latency");
        _fleet[0].Store.Get(_fleet[0].Registry.Find("argoproj.io", "applicationsets")!, "argocd", "shop").Should().BeNull("the apply never got past reading the namespace");
    }
}
