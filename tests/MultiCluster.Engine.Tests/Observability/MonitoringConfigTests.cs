using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Observability.Monitoring;
using YamlDotNet.RepresentationModel;

namespace MultiCluster.Engine.Tests.Observability;

/// <summary>New-FleetMonitoringConfig's rendering: federation and Thanos settings that list exactly the fleet's clusters, with unique labels, and its refusals.</summary>
public sealed class MonitoringConfigTests
{
    private static readonly FleetCluster Hub = new() { Name = "hub", Region = "us-east-1", Role = FleetClusterRole.Management };

    private static readonly List<FleetCluster> Fleet =
    [
        Hub,
        new() { Name = "prod-use1", Region = "us-east-1" },
        new() { Name = "prod-euc1", Region = "eu-central-1", Labels = new Dictionary<string, string> { [MonitoringSettings.EndpointLabel] = "prom.prod-euc1.example.com" } },
        new() { Name = "dr-usw2", Region = "us-west-2", Role = FleetClusterRole.Dr },
    ];

    private static YamlMappingNode ParseYaml(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        stream.Documents.Should().HaveCount(1);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlNode At(YamlNode node, params object[] path)
    {
        foreach (var step in path)
            node = step is int index ? ((YamlSequenceNode)node).Children[index] : ((YamlMappingNode)node).Children[new YamlScalarNode((string)step)];
        return node;
    }

    private static string Text(YamlNode node, params object[] path) => ((YamlScalarNode)At(node, path)).Value!;

    [Fact]
    public void Federation_scrapes_every_workload_cluster_once_through_federate_with_its_cluster_and_region_labels()
    {
        var plan = new MonitoringSettings { Endpoints = new Dictionary<string, string> { ["dr-usw2"] = "10.1.2.3:9091" } }.Validate(Hub, Fleet);
        var work = MonitoringRenderer.Render(plan);

        work.Should().HaveCount(1);
        work[0].Cluster.Name.Should().Be("hub");
        work[0].Objects.Should().HaveCount(1);
        var configMap = work[0].Objects[0];
        configMap.Reference.Should().Be("v1 ConfigMap monitoring/multicluster-federation");
        var config = ParseYaml(configMap.Json["data"]!["federation.yml"]!.GetValue<string>());

        var jobs = (YamlSequenceNode)At(config, "scrape_configs");
        jobs.Children.Should().HaveCount(1);
        var job = jobs.Children[0];
        Text(job, "job_name").Should().Be("federate");
        Text(job, "metrics_path").Should().Be("/federate");
        Text(job, "honor_labels").Should().Be("true");
        Text(job, "scheme").Should().Be("http");
        ((YamlSequenceNode)At(job, "params", "match[]")).Children.Select(c => ((YamlScalarNode)c).Value)
            .Should().Equal("{job=\"prometheus\"}", "{__name__=~\"job:.*\"}");
        var groups = ((YamlSequenceNode)At(job, "static_configs")).Children;
        groups.Should().HaveCount(3);
        groups.Select(g => ((YamlSequenceNode)At(g, "targets")).Children.Count).Should().AllBeEquivalentTo(1);
        groups.Select(g => Text(g, "targets", 0)).Should().Equal("prometheus.prod-use1:9090", "prom.prod-euc1.example.com:9090", "10.1.2.3:9091");
        groups.Select(g => $"{Text(g, "labels", "cluster")}/{Text(g, "labels", "region")}").Should().Equal(
            "prod-use1/us-east-1", "prod-euc1/eu-central-1", "dr-usw2/us-west-2");
        groups.Select(g => ((YamlMappingNode)At(g, "labels")).Children.Count).Should().AllBeEquivalentTo(2);
    }

    [Fact]
    public void Federation_over_https_references_the_CA_and_token_files_and_never_holds_a_credential()
    {
        var plan = new MonitoringSettings { Scheme = "https", CaFile = "/etc/prometheus/ca/ca.crt", BearerTokenFile = "/etc/prometheus/token/federate" }
            .Validate(Hub, Fleet);
        var yaml = MonitoringRenderer.FederationConfig(plan);
        var job = At(ParseYaml(yaml), "scrape_configs", 0);

        Text(job, "scheme").Should().Be("https");
        Text(job, "tls_config", "ca_file").Should().Be("/etc/prometheus/ca/ca.crt");
        ((YamlMappingNode)At(job, "authorization")).Children.Keys.Select(k => ((YamlScalarNode)k).Value).Should().Equal("credentials_file", "type");
        Text(job, "authorization", "credentials_file").Should().Be("/etc/prometheus/token/federate");
        yaml.Should().NotContainAny("password", "bearer_token:", "credentials:");
    }

    [Fact]
    public void The_same_fleet_renders_the_same_text_whatever_order_the_labels_were_given_in()
    {
        string Render(params (string Key, string Value)[] labels) => MonitoringRenderer.FederationConfig(new MonitoringSettings
        {
            ExternalLabels = labels.ToDictionary(l => l.Key, l => l.Value),
        }.Validate(Hub, Fleet));

        var first = Render(("env", "prod"), ("team", "platform"));
        first.Should().Be(Render(("team", "platform"), ("env", "prod")));
        first.Should().Contain("labels:\n      cluster: prod-use1\n      env: prod\n      region: us-east-1\n      team: platform\n");
    }

    [Fact]
    public void Thanos_lists_one_sidecar_endpoint_per_cluster_for_Query_and_gives_each_Prometheus_its_own_external_labels()
    {
        var plan = new MonitoringSettings
        {
            Provider = FleetMonitoringProvider.Thanos, ExternalLabels = new Dictionary<string, string> { ["env"] = "prod" },
        }.Validate(Hub, Fleet);
        var work = MonitoringRenderer.Render(plan);

        work.Should().HaveCount(4);
        work.Select(w => w.Cluster.Name).Should().Equal("hub", "prod-use1", "prod-euc1", "dr-usw2");
        work.Select(w => w.Objects.Count).Should().AllBeEquivalentTo(1);
        var query = work[0].Objects[0];
        query.Reference.Should().Be("v1 ConfigMap monitoring/thanos-query-endpoints");
        var endpoints = ((YamlSequenceNode)At(ParseYaml(query.Json["data"]!["endpoints.yaml"]!.GetValue<string>()), "endpoints")).Children;
        endpoints.Should().HaveCount(3);
        endpoints.Select(e => Text(e, "address")).Should().Equal("thanos-sidecar.prod-use1:10901", "prom.prod-euc1.example.com:10901", "thanos-sidecar.dr-usw2:10901");
        endpoints.Select(e => ((YamlMappingNode)e).Children.Count).Should().AllBeEquivalentTo(1);

        var prometheuses = work.Skip(1).Select(w => w.Objects[0]).ToList();
        prometheuses.Select(p => p.Reference).Should().AllBe("monitoring.coreos.com/v1 Prometheus monitoring/k8s");
        prometheuses.Select(p => p.Json["spec"]!.ToJsonString()).Should().Equal(
            """{"externalLabels":{"cluster":"prod-use1","env":"prod","region":"us-east-1"},"replicaExternalLabelName":"prometheus_replica"}""",
            """{"externalLabels":{"cluster":"prod-euc1","env":"prod","region":"eu-central-1"},"replicaExternalLabelName":"prometheus_replica"}""",
            """{"externalLabels":{"cluster":"dr-usw2","env":"prod","region":"us-west-2"},"replicaExternalLabelName":"prometheus_replica"}""");
        prometheuses.Select(p => p.Json["spec"]!["externalLabels"]!.ToJsonString()).Distinct().Should().HaveCount(3);
    }

    [Fact]
    public void A_cluster_removed_from_the_fleet_is_no_target_on_the_next_run()
    {
        var before = new MonitoringSettings().Validate(Hub, Fleet).Targets;
        var after = new MonitoringSettings().Validate(Hub, Fleet.Where(c => c.Name != "prod-euc1").ToList()).Targets;

        before.Select(t => t.Cluster).Should().Equal("prod-use1", "prod-euc1", "dr-usw2");
        after.Select(t => t.Cluster).Should().Equal("prod-use1", "dr-usw2");
        var config = MonitoringRenderer.FederationConfig(new MonitoringSettings().Validate(Hub, Fleet.Where(c => c.Name != "prod-euc1").ToList()));
        config.Should().NotContain("prod-euc1");
    }

    public static TheoryData<string, MonitoringSettings, IReadOnlyList<FleetCluster>, string, string, string> BadInput() => new()
    {
        {
            "a range vector", new MonitoringSettings { Match = ["up[5m]"] }, Fleet, MonitoringErrorIds.MatchSelectorInvalid, "up[5m]",
            "-Match 'up[5m]' is not an instant-vector selector: '[5m]' makes it a range vector; /federate takes instant-vector selectors only. Nothing was changed."
        },
        {
            "a selector of everything", new MonitoringSettings { Match = ["{job=~\".*\"}"] }, Fleet, MonitoringErrorIds.MatchSelectorInvalid, "{job=~\".*\"}",
            "-Match '{job=~\".*\"}' is not an instant-vector selector: it has no metric name and every matcher matches the empty string, which selects every series (Prometheus refuses it); use for example {job=~\".+\"}. Nothing was changed."
        },
        {
            "an unclosed string", new MonitoringSettings { Match = ["{job=\"api}"] }, Fleet, MonitoringErrorIds.MatchSelectorInvalid, "{job=\"api}",
            "-Match '{job=\"api}' is not an instant-vector selector: the string starting at position 6 is not closed with \". Nothing was changed."
        },
        {
            "a cluster without a region", new MonitoringSettings(), [Hub, new() { Name = "lab" }], MonitoringErrorIds.ClusterRegionMissing, "lab",
            "Cluster 'lab' has no region in the fleet file, so its 'region' label cannot be set. Nothing was changed."
        },
        {
            "an external label that overrides the cluster label", new MonitoringSettings { ExternalLabels = new Dictionary<string, string> { ["cluster"] = "prod" } },
            Fleet, MonitoringErrorIds.ExternalLabelsNotUnique, "cluster",
            "-ExternalLabel 'cluster' would give every cluster the same 'cluster', which must tell clusters (or replicas) apart. Nothing was changed."
        },
        {
            "the cluster label also used for the region", new MonitoringSettings { RegionLabel = "cluster" }, Fleet, MonitoringErrorIds.ExternalLabelsNotUnique, "cluster",
            "-ClusterLabel, -RegionLabel and -ReplicaLabel must be different label names (cluster, cluster). Nothing was changed."
        },
        {
            "a label name Prometheus refuses", new MonitoringSettings { ExternalLabels = new Dictionary<string, string> { ["team-name"] = "a" } },
            Fleet, MonitoringErrorIds.ExternalLabelInvalid, "team-name",
            "-ExternalLabel 'team-name' is not a Prometheus label name (letters, digits and '_', not starting with a digit or '__'). Nothing was changed."
        },
        {
            "an endpoint of no selected cluster", new MonitoringSettings { Endpoints = new Dictionary<string, string> { ["prod-apse1"] = "10.0.0.1" } },
            Fleet, MonitoringErrorIds.EndpointInvalid, "prod-apse1", "-Endpoint names 'prod-apse1', which is not a selected cluster. Nothing was changed."
        },
        {
            "an endpoint given as a URL", new MonitoringSettings { Endpoints = new Dictionary<string, string> { ["prod-use1"] = "https://prom:9090/" } },
            Fleet, MonitoringErrorIds.EndpointInvalid, "prod-use1",
            "The endpoint 'https://prom:9090/' of cluster 'prod-use1' is not host:port (a URL's scheme and path go in -Scheme, not here). Nothing was changed."
        },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public void Bad_input_is_refused_naming_what_and_where(string what, MonitoringSettings settings, IReadOnlyList<FleetCluster> clusters,
        string errorId, string target, string message)
    {
        var act = () => settings.Validate(Hub, clusters);

        var error = act.Should().Throw<FleetInputException>(what).Which;
        error.ErrorId.Should().Be(errorId);
        error.Category.Should().Be(errorId == MonitoringErrorIds.ClusterRegionMissing ? FleetErrorCategory.InvalidData : FleetErrorCategory.InvalidArgument);
        error.Target.Should().Be(target);
        error.Message.Should().Be(message);
    }

    [Fact]
    public void Without_the_region_label_a_cluster_needs_no_region()
    {
        var plan = new MonitoringSettings { RegionLabel = "" }.Validate(Hub, [Hub, new() { Name = "lab" }]);

        plan.Targets.Should().HaveCount(1);
        plan.Targets[0].Labels.Should().Equal(new Dictionary<string, string> { ["cluster"] = "lab" });
    }

    [Theory]
    [InlineData("up")]
    [InlineData("{job=\"api-server\"}")]
    [InlineData("http_requests_total{job=\"prometheus\",group=\"canary\"}")]
    [InlineData("{__name__=~\"job:.*\"}")]
    [InlineData("{job=~\".+\"}")]
    [InlineData("{job=~\".*\",method=\"get\"}")]
    [InlineData("{job!=\"\"}")]
    [InlineData("node_cpu_seconds_total{mode!~\"idle|iowait\", cpu = '0',}")]
    [InlineData("{\"my.metric\"}")]
    [InlineData("job:request_latency_seconds:mean5m")]
    public void Instant_vector_selectors_Prometheus_accepts_pass(string selector) =>
        InstantVectorSelector.Problem(selector).Should().BeNull();

    [Theory]
    [InlineData("", "it ends where a metric name or '{' is expected")]
    [InlineData("{}", "it has no metric name and every matcher matches the empty string, which selects every series (Prometheus refuses it); use for example {job=~\".+\"}")]
    [InlineData("{job=\"\"}", "it has no metric name and every matcher matches the empty string, which selects every series (Prometheus refuses it); use for example {job=~\".+\"}")]
    [InlineData("up offset 5m", "unexpected 'offset 5m' after the selector at position 4: /federate takes a selector only, without offset, @, functions or operators")]
    [InlineData("sum(up)", "unexpected '(up)' after the selector at position 4: /federate takes a selector only, without offset, @, functions or operators")]
    [InlineData("on{}", "'on' is a PromQL keyword, not a metric name; write {__name__=\"on\"}")]
    [InlineData("{job==\"a\"}", "'=' at position 6 where a quoted value after 'job=' is expected")]
    [InlineData("{job=\"a\" mode=\"b\"}", "'m' at position 10 where ',' or '}' is expected")]
    [InlineData("{1job=\"a\"}", "'1' at position 2 where a label name is expected")]
    public void Anything_else_is_refused_with_the_reason(string selector, string problem) =>
        InstantVectorSelector.Problem(selector).Should().Be(problem);

    [Fact]
    public void A_regular_expression_that_does_not_parse_is_refused()
    {
        InstantVectorSelector.Problem("{job=~\"(api\"}").Should().StartWith("the regular expression \"(api\" of 'job' does not parse:");
    }
}
