using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Observability.Monitoring;
using MultiCluster.Engine.Tests.FanOut;
using MultiCluster.Testing;
using MultiCluster.Testing.Monitoring;

namespace MultiCluster.Engine.Tests.Observability;

/// <summary>
/// The federation config applied to an emulated management cluster, read back and checked against
/// the fleet and against local endpoints standing in for each cluster's Prometheus.
/// </summary>
public sealed class MonitoringLiveTests : IAsyncLifetime
{
    private EmulatedFleet _fleet = null!;
    private EmulatorConnector _connector = null!;
    private List<FleetCluster> _clusters = null!;

    public async Task InitializeAsync()
    {
        _fleet = await EmulatedFleet.StartAsync(3, "monitor");
        _connector = new EmulatorConnector(_fleet);
        _clusters = _connector.Clusters.Select((c, i) => c with
        {
            Region = i == 2 ? "eu-central-1" : "us-east-1", Role = i == 0 ? FleetClusterRole.Management : FleetClusterRole.Workload,
        }).ToList();
        var ns = new MultiCluster.Engine.Resources.KubeObject(JsonNode.Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"monitoring"}}""")!.AsObject());
        var apply = new ApplyService(_connector);
        (await apply.ApplyAsync(apply.Plan([_clusters[0]], [ns]), new ApplyOptions()).ToListAsync()).Should().ContainSingle()
            .Which.Action.Should().Be(FleetResourceAction.Created);
    }

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    private async Task<List<FleetResourceResult>> ApplyAsync(IReadOnlyList<FleetCluster> clusters, IReadOnlyDictionary<string, string> endpoints)
    {
        var plan = new MonitoringSettings { Endpoints = endpoints }.Validate(_clusters[0], clusters);
        var apply = new ApplyService(_connector);
        return await apply.ApplyAsync(apply.Plan(MonitoringRenderer.Render(plan)), new ApplyOptions()).ToListAsync();
    }

    [Fact]
    public async Task Applied_twice_the_second_run_is_Unchanged_and_a_removed_cluster_loses_its_target()
    {
        var endpoints = new Dictionary<string, string> { [_clusters[1].Name] = "10.0.0.1:9090", [_clusters[2].Name] = "10.0.0.2:9090" };
        var first = await ApplyAsync(_clusters, endpoints);
        first.Should().ContainSingle();
        first[0].Should().Match<FleetResourceResult>(r => r.Cluster == _clusters[0].Name && r.Kind == "ConfigMap" && r.Namespace == "monitoring"
            && r.Name == "multicluster-federation" && r.Action == FleetResourceAction.Created);
        (await ApplyAsync(_clusters, endpoints)).Select(r => r.Action).Should().Equal(FleetResourceAction.Unchanged);

        var targets = await MonitoringConfigReader.ReadAsync(_connector, _clusters[0], FleetMonitoringProvider.Prometheus, "monitoring", "cluster", default);
        targets.Select(t => $"{t.Cluster} {t.Address} {MonitoringSettings.LabelKey(t.Labels)}").Should().Equal(
            $"{_clusters[1].Name} 10.0.0.1:9090 cluster=\"{_clusters[1].Name}\",region=\"us-east-1\"",
            $"{_clusters[2].Name} 10.0.0.2:9090 cluster=\"{_clusters[2].Name}\",region=\"eu-central-1\"");

        var shrunk = await ApplyAsync(_clusters.Take(2).ToList(), new Dictionary<string, string> { [_clusters[1].Name] = "10.0.0.1:9090" });
        shrunk.Select(r => r.Action).Should().Equal(FleetResourceAction.Configured);
        var after = await MonitoringConfigReader.ReadAsync(_connector, _clusters[0], FleetMonitoringProvider.Prometheus, "monitoring", "cluster", default);
        after.Select(t => t.Cluster).Should().Equal(_clusters[1].Name);
        _fleet[1].Store.Get(_fleet[1].Registry.Find("", "configmaps")!, "monitoring", "multicluster-federation").Should().BeNull("only the management cluster gets the config");
    }

    [Fact]
    public async Task Each_cluster_that_answers_passes_and_one_that_does_not_fails_with_the_reason()
    {
        using var answering = new ReadyEndpoint();
        var stopped = new ReadyEndpoint();
        var stoppedAddress = stopped.Address;
        stopped.Dispose();
        await ApplyAsync(_clusters, new Dictionary<string, string> { [_clusters[1].Name] = answering.Address, [_clusters[2].Name] = stoppedAddress });
        var targets = await MonitoringConfigReader.ReadAsync(_connector, _clusters[0], FleetMonitoringProvider.Prometheus, "monitoring", "cluster", default);

        var checks = await MonitoringCheckService.CheckAsync(_clusters.Skip(1).ToList(), _clusters, targets, new MonitoringProbeOptions());

        checks.Should().HaveCount(6);
        checks.Select(c => $"{c.Cluster} {c.Check} {c.Status} {c.Problem}".TrimEnd()).Should().Equal(
            $"{_clusters[1].Name} Target Pass", $"{_clusters[1].Name} Labels Pass", $"{_clusters[1].Name} Endpoint Pass",
            $"{_clusters[2].Name} Target Pass", $"{_clusters[2].Name} Labels Pass", $"{_clusters[2].Name} Endpoint Fail Unreachable");
        checks[2].Detail.Should().MatchRegex(@$"^http://{answering.Address}/-/ready answered 200 in \d+ ms\.$");
        checks[5].Detail.Should().StartWith($"http://{stoppedAddress}/-/ready cannot be reached: Connection refused");
        checks[5].Action.Should().Be("Check the address in the config and that the endpoint is exposed to the management cluster.");
        answering.Requests.Should().Equal("/-/ready");
    }

    [Fact]
    public async Task A_missing_cluster_an_extra_target_and_shared_labels_are_each_reported()
    {
        using var endpoint = new ReadyEndpoint();
        var labels = new Dictionary<string, string> { ["cluster"] = _clusters[1].Name };
        IReadOnlyList<ConfiguredTarget> targets =
        [
            new(_clusters[1].Name, endpoint.Address, labels, "http"),
            new("old-cluster", endpoint.Address, labels, "http"),
        ];

        var checks = await MonitoringCheckService.CheckAsync(_clusters.Skip(1).ToList(), _clusters, targets, new MonitoringProbeOptions());

        checks.Should().HaveCount(5);
        checks.Select(c => $"{c.Cluster} {c.Check} {c.Status} {c.Problem}".TrimEnd()).Should().Equal(
            $"{_clusters[1].Name} Target Pass", $"{_clusters[1].Name} Labels Fail Duplicate", $"{_clusters[1].Name} Endpoint Pass",
            $"{_clusters[2].Name} Target Fail Missing", "old-cluster Target Warn Extra");
        checks[1].Detail.Should().Be($"Its external labels {{cluster=\"{_clusters[1].Name}\"}} are also those of old-cluster: their series cannot be told apart.");
        checks[3].Action.Should().Be("Run New-FleetMonitoringConfig -Provider Prometheus so the config lists every cluster of the fleet.");
    }

    [Fact]
    public async Task Thanos_endpoints_read_back_from_the_management_cluster_carry_each_clusters_labels_and_are_probed_on_the_HTTP_port()
    {
        using var sidecarHttp = new ReadyEndpoint();
        var plan = new MonitoringSettings
        {
            Provider = FleetMonitoringProvider.Thanos,
            Endpoints = new Dictionary<string, string> { [_clusters[1].Name] = "127.0.0.1:10901", [_clusters[2].Name] = "127.0.0.1:10911" },
        }.Validate(_clusters[0], _clusters);
        var management = MonitoringRenderer.Render(plan)[0];
        var apply = new ApplyService(_connector);
        (await apply.ApplyAsync(apply.Plan([management]), new ApplyOptions()).ToListAsync()).Select(r => r.Action).Should().Equal(FleetResourceAction.Created);

        var targets = await MonitoringConfigReader.ReadAsync(_connector, _clusters[0], FleetMonitoringProvider.Thanos, "monitoring", "cluster", default);
        var checks = await MonitoringCheckService.CheckAsync(_clusters.Skip(1).ToList(), _clusters, targets,
            new MonitoringProbeOptions { Provider = FleetMonitoringProvider.Thanos, ProbePort = sidecarHttp.Port });

        targets.Select(t => $"{t.Cluster} {t.Address} {MonitoringSettings.LabelKey(t.Labels)}").Should().Equal(
            $"{_clusters[1].Name} 127.0.0.1:10901 cluster=\"{_clusters[1].Name}\",region=\"us-east-1\"",
            $"{_clusters[2].Name} 127.0.0.1:10911 cluster=\"{_clusters[2].Name}\",region=\"eu-central-1\"");
        checks.Should().HaveCount(6);
        checks.Should().OnlyContain(c => c.Status == "Pass");
        sidecarHttp.Requests.Should().Equal("/-/ready", "/-/ready");
    }

    /// <summary>
    /// A test stand-in for prometheus-operator's Prometheus CRD (shared/crds does not hold the
    /// operator's): the same group, version, kind and scope, with a structural schema whose spec and
    /// status keep unknown fields, so the emulator serves and stores Prometheus objects.
    /// </summary>
    private static JsonObject PrometheusCrdStandIn() => JsonNode.Parse("""
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"prometheuses.monitoring.coreos.com"},
         "spec":{"group":"monitoring.coreos.com","scope":"Namespaced",
                 "names":{"kind":"Prometheus","listKind":"PrometheusList","plural":"prometheuses","singular":"prometheus"},
                 "versions":[{"name":"v1","served":true,"storage":true,
                   "schema":{"openAPIV3Schema":{"type":"object","properties":{
                     "spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
                     "status":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}]}}
        """)!.AsObject();

    private static JsonObject OperatorsPrometheus() => JsonNode.Parse("""
        {"apiVersion":"monitoring.coreos.com/v1","kind":"Prometheus","metadata":{"name":"k8s","namespace":"monitoring"},
         "spec":{"replicas":2,"serviceAccountName":"prometheus-k8s"}}
        """)!.AsObject();

    [Fact]
    public async Task Thanos_labels_each_clusters_own_Prometheus_and_a_cluster_without_one_is_an_error_not_a_new_Prometheus()
    {
        foreach (var cluster in new[] { _fleet[1], _fleet[2] })
        {
            cluster.CreateObject(PrometheusCrdStandIn());
            cluster.CreateObject(JsonNode.Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"monitoring"}}""")!.AsObject());
        }
        _fleet[1].CreateObject(OperatorsPrometheus());
        var prometheuses = _fleet[1].Registry.Find("monitoring.coreos.com", "prometheuses")!;
        var plan = new MonitoringSettings
        {
            Provider = FleetMonitoringProvider.Thanos,
            Endpoints = new Dictionary<string, string> { [_clusters[1].Name] = "10.0.0.1:10901", [_clusters[2].Name] = "10.0.0.2:10901" },
        }.Validate(_clusters[0], _clusters);
        var apply = new ApplyService(_connector);
        var options = new ApplyOptions { MissingObjectError = MonitoringRenderer.MissingPrometheus };
        async Task<List<string>> Run(ApplyOptions runOptions) =>
            (await apply.ApplyAsync(apply.Plan(MonitoringRenderer.Render(plan)), runOptions).ToListAsync()).Select(r => $"{r.Cluster} {r.Kind} {r.Action}").Order().ToList();
        string Row(int cluster, string kind, FleetResourceAction action) => $"{_clusters[cluster].Name} {kind} {action}";

        var preview = await apply.ApplyAsync(apply.Plan(MonitoringRenderer.Render(plan)), options with { WhatIf = true }).ToListAsync();
        var first = await apply.ApplyAsync(apply.Plan(MonitoringRenderer.Render(plan)), options).ToListAsync();

        preview.Single(r => r.Cluster == _clusters[2].Name).Action.Should().Be(FleetResourceAction.Failed, "a preview shows the missing Prometheus too");
        first.Select(r => $"{r.Cluster} {r.Kind} {r.Action}").Order().Should().Equal(new[]
        {
            Row(0, "ConfigMap", FleetResourceAction.Created), Row(1, "Prometheus", FleetResourceAction.Configured), Row(2, "Prometheus", FleetResourceAction.Failed),
        }.Order());
        first.Single(r => r.Cluster == _clusters[2].Name).Error.Should().BeOfType<FleetClusterException>().Which.Should().BeEquivalentTo(new
        {
            ErrorId = MonitoringErrorIds.PrometheusNotFound, Category = FleetErrorCategory.ObjectNotFound,
            Target = $"{_clusters[2].Name}: Prometheus monitoring/k8s",
            Message = $"Cluster '{_clusters[2].Name}' has no prometheus-operator Prometheus 'k8s' in namespace 'monitoring' to set the Thanos external labels on; nothing was created there.",
            RecommendedAction = "Name that cluster's Prometheus with -PrometheusName (and its namespace with -Namespace), or install it first.",
        }, o => o.ExcludingMissingMembers());
        _fleet[2].Store.Get(prometheuses, "monitoring", "k8s").Should().BeNull("a bare Prometheus is never created");
        var labelled = _fleet[1].Store.Get(prometheuses, "monitoring", "k8s")!;
        labelled["spec"]!.ToJsonString().Should().Be(
            $$"""{"replicas":2,"serviceAccountName":"prometheus-k8s","externalLabels":{"cluster":"{{_clusters[1].Name}}","region":"us-east-1"},"replicaExternalLabelName":"prometheus_replica"}""");

        _fleet[2].CreateObject(OperatorsPrometheus());
        (await Run(options)).Should().Equal(new[]
        {
            Row(0, "ConfigMap", FleetResourceAction.Unchanged), Row(1, "Prometheus", FleetResourceAction.Unchanged), Row(2, "Prometheus", FleetResourceAction.Configured),
        }.Order());
        _fleet[2].Store.Get(prometheuses, "monitoring", "k8s")!["spec"]!["externalLabels"]!.ToJsonString()
            .Should().Be($$"""{"cluster":"{{_clusters[2].Name}}","region":"eu-central-1"}""");
        (await Run(options)).Should().OnlyContain(row => row.EndsWith(" Unchanged")).And.HaveCount(3);
    }

    [Fact]
    public async Task An_endpoint_that_accepts_but_never_answers_fails_after_the_timeout()
    {
        using var hanging = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        hanging.Start();
        var address = $"127.0.0.1:{((System.Net.IPEndPoint)hanging.LocalEndpoint).Port}";
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        var checks = await MonitoringCheckService.CheckAsync([_clusters[1]], _clusters,
            [new ConfiguredTarget(_clusters[1].Name, address, new Dictionary<string, string> { ["cluster"] = _clusters[1].Name }, "http")],
            new MonitoringProbeOptions { Timeout = TimeSpan.FromMilliseconds(500) });

        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
        checks.Should().HaveCount(3);
        checks[2].Should().Match<FleetMonitoringCheck>(c => c.Check == "Endpoint" && c.Status == "Fail" && c.Problem == "Unreachable"
            && c.Detail == $"http://{address}/-/ready did not answer within 0.5 s.");
    }

    [Fact]
    public async Task Endpoints_are_probed_at_most_Throttle_at_a_time_and_each_cluster_gets_its_checks()
    {
        var clusters = Enumerable.Range(1, 7).Select(i => new FleetCluster { Name = $"probe-{i}" }).ToList();
        var targets = clusters.Select((c, i) => new ConfiguredTarget(c.Name, $"10.0.0.{i + 1}:9090", new Dictionary<string, string> { ["cluster"] = c.Name }, "http")).ToList();
        var handler = new CountingHandler();

        var checks = await MonitoringCheckService.CheckAsync(clusters, clusters, targets, new MonitoringProbeOptions { Throttle = 2 }, handler);

        checks.Should().HaveCount(21, "three checks for each of the seven clusters");
        checks.Where(c => c.Check == "Endpoint").Should().HaveCount(7).And.OnlyContain(c => c.Status == "Pass");
        handler.Requests.Should().Be(7);
        handler.MostAtOnce.Should().Be(2);
    }

    /// <summary>Answers every probe 200 after a pause, counting how many were in flight at once.</summary>
    private sealed class CountingHandler : HttpMessageHandler
    {
        private int _inFlight;
        private int _mostAtOnce;
        private int _requests;

        public int MostAtOnce => _mostAtOnce;
        public int Requests => _requests;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            var now = Interlocked.Increment(ref _inFlight);
            for (var most = _mostAtOnce; now > most; most = _mostAtOnce) Interlocked.CompareExchange(ref _mostAtOnce, now, most);
            try
            {
                await Task.Delay(100, cancellationToken);
                return new HttpResponseMessage(System.Net.HttpStatusCode.OK);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }

    [Fact]
    public async Task Reading_the_config_from_a_management_cluster_slower_than_the_timeout_is_a_ClusterTimeout()
    {
        await _fleet[0].SetFaultsAsync(new MultiCluster.Testing.ApiServer.FaultSettings { Latency = TimeSpan.FromSeconds(30) });
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var act = () => MonitoringConfigReader.ReadAsync(_connector, _clusters[0], FleetMonitoringProvider.Prometheus, "monitoring", "cluster",
            new FanOutOptions { TimeoutSeconds = 1 });

        (await act.Should().ThrowAsync<FleetClusterException>()).Which.ErrorId.Should().Be(FleetErrorIds.ClusterTimeout);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(25), "the read stops at its timeout, not after the 30 s latency");
    }

    [Fact]
    public async Task Reading_a_config_that_is_not_there_names_the_cluster_and_the_ConfigMap()
    {
        var act = () => MonitoringConfigReader.ReadAsync(_connector, _clusters[0], FleetMonitoringProvider.Thanos, "monitoring", "cluster", default);

        var error = (await act.Should().ThrowAsync<FleetClusterException>()).Which;
        error.ErrorId.Should().Be(MonitoringErrorIds.MonitoringConfigNotFound);
        error.Category.Should().Be(FleetErrorCategory.ObjectNotFound);
        error.Target.Should().Be($"{_clusters[0].Name}: v1 ConfigMap monitoring/thanos-query-endpoints");
    }
}
