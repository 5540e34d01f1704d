using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Mesh;
using MultiCluster.Engine.Tests.FanOut;
using MultiCluster.Testing;
using MultiCluster.Testing.Controllers;
using MultiCluster.Testing.Controllers.Mcs;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Mesh;

/// <summary>
/// Export-FleetService's engine against three emulated clusters with the real MCS CRDs and the
/// simulated MCS controller of one cluster set: ServiceExports written through the API, imports
/// and conditions as the controller reports them.
/// </summary>
public sealed class McsServiceExportLiveTests : IAsyncLifetime
{
    private readonly ControllerSettings _settings = new();
    private EmulatedFleet _fleet = null!;
    private EmulatorConnector _connector = null!;
    private McsServiceExports _exports = null!;

    public async Task InitializeAsync()
    {
        _fleet = await EmulatedFleet.StartAsync(3, "mcs",
            configure: (_, o) => new EmulatedClusterOptions { Name = o.Name, Controllers = ControllerCatalog.Create(_settings, McsController.ControllerName) });
        if (SharedFiles.Crds is null) return;
        foreach (var cluster in _fleet.Clusters)
        {
            SharedCrds.LoadInto(cluster, "mcs-api");
            MeshSeed.Namespace(cluster, "shop");
        }
        Service(_fleet[0], 80);
        Service(_fleet[1], 80);
    }

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    private static void Service(EmulatedCluster cluster, int port, string ns = "shop") => cluster.CreateObject(new JsonObject
    {
        ["apiVersion"] = "v1", ["kind"] = "Service",
        ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = ns },
        ["spec"] = new JsonObject { ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = port, ["protocol"] = "TCP" }) },
    });

    private ServiceExportRequest Request(params int[] exporters) => new()
    {
        Namespace = "shop", Name = "web", Members = _connector.Clusters,
        Exporters = exporters.Select(i => _connector.Clusters[i]).ToList(), Wait = true, WaitTimeout = TimeSpan.FromSeconds(20),
    };

    private Task<List<FleetServiceExport>> Export(ServiceExportRequest request) => _exports.ExportAsync(request).ToListAsync().AsTask();

    private JsonObject? Import(int cluster) => _fleet[cluster].Store.Get(_fleet[cluster].Registry.Find("multicluster.x-k8s.io", "serviceimports")!, "shop", "web");

    private List<string> Exports() => _fleet.Clusters.SelectMany(c =>
        c.Store.List(c.Registry.Find("multicluster.x-k8s.io", "serviceexports")!, null).Items.Select(e => $"{c.Name}/{e["metadata"]!["name"]}")).ToList();

    private void Connect()
    {
        _connector = new EmulatorConnector(_fleet);
        _exports = new McsServiceExports(_connector);
    }

    [RequiresSharedCrdsFact]
    public async Task Export_with_Wait_gives_every_member_the_import_and_a_second_run_is_Unchanged_and_unexporting_removes_the_imports()
    {
        Connect();
        var names = _fleet.Clusters.Select(c => c.Name).ToList();

        var first = await Export(Request(0));

        first.Should().HaveCount(1);
        first[0].Should().BeEquivalentTo(new
        {
            Cluster = names[0], Action = FleetResourceAction.Created, Status = FleetServiceExportStatus.Exported, ConflictReason = (string?)null,
            DnsName = "web.shop.svc.clusterset.local", ImportedBy = names, MissingImport = Array.Empty<string>(), Error = (Exception?)null,
        });
        var import = Import(2)!;
        import["spec"]!["type"]!.GetValue<string>().Should().Be("ClusterSetIP");
        import["spec"]!["ports"]!.ToJsonString().Should().Be("""[{"name":"http","protocol":"TCP","port":80}]""");
        import["spec"]!["ips"]!.AsArray().Should().ContainSingle().Which!.GetValue<string>().Should().StartWith("10.255.");
        import["status"]!["clusters"]!.ToJsonString().Should().Be($$"""[{"cluster":"{{names[0]}}"}]""");
        var conditions = _fleet[0].Store.Get(_fleet[0].Registry.Find("multicluster.x-k8s.io", "serviceexports")!, "shop", "web")!["status"]!["conditions"]!.AsArray();
        conditions.Select(c => $"{c!["type"]}={c["status"]}/{c["reason"]}").Should().Equal("Valid=True/Valid", "Ready=True/Exported", "Conflict=False/NoConflicts");

        var second = await Export(Request(0));
        second.Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Unchanged);
        Exports().Should().Equal($"{names[0]}/web");

        _fleet[0].Store.Delete(_fleet[0].Registry.Find("multicluster.x-k8s.io", "serviceexports")!, "shop", "web");
        await _settings.McsClusterSet.WhenIdleAsync();
        _settings.McsClusterSet.Members.Should().HaveCount(3).And.AllSatisfy(m => m.LastError.Should().BeNull());
        Enumerable.Range(0, 3).Select(Import).Should().AllSatisfy(i => i.Should().BeNull());
    }

    [RequiresSharedCrdsFact]
    public async Task Exporters_that_disagree_on_a_port_both_report_PortConflict_and_the_oldest_export_wins()
    {
        _fleet[1].Store.Delete(_fleet[1].Registry.Find("", "services")!, "shop", "web");
        Service(_fleet[1], 8080);
        Connect();

        (await Export(Request(0))).Should().ContainSingle().Which.Status.Should().Be(FleetServiceExportStatus.Exported);
        var both = await Export(Request(0, 1));

        both.Should().HaveCount(2);
        both.Select(e => (e.Status, e.ConflictReason)).Should().AllBeEquivalentTo((FleetServiceExportStatus.Conflict, (string?)"PortConflict"));
        both.Should().AllSatisfy(e => e.Message.Should().Contain($"[{_fleet[1].Name}] disagree"));
        Import(2)!["spec"]!["ports"]!.ToJsonString().Should().Be("""[{"name":"http","protocol":"TCP","port":80}]""");
        Import(2)!["status"]!["clusters"]!.AsArray().Should().HaveCount(2);
    }

    [RequiresSharedCrdsFact]
    public async Task A_name_that_is_not_a_DNS_label_is_refused_before_anything_is_written()
    {
        Connect();

        var act = () => Export(Request(0) with { Name = "Web_1" });

        var error = (await act.Should().ThrowAsync<FleetInputException>()).Which;
        error.ErrorId.Should().Be(MeshErrorIds.ServiceNameInvalid);
        error.Category.Should().Be(FleetErrorCategory.InvalidArgument);
        error.Target.Should().Be("Web_1");
        Exports().Should().BeEmpty();
    }

    [RequiresSharedCrdsFact]
    public async Task A_cluster_without_the_Service_fails_alone_and_WhatIf_writes_nothing()
    {
        Connect();

        var preview = await Export(Request(0, 2) with { WhatIf = true });
        preview.Should().HaveCount(2);
        preview.Single(e => e.Cluster == _fleet[0].Name).Action.Should().Be(FleetResourceAction.WouldCreate);
        Exports().Should().BeEmpty();

        var results = await Export(Request(0, 2));

        results.Should().HaveCount(2);
        results.Single(e => e.Cluster == _fleet[0].Name).Status.Should().Be(FleetServiceExportStatus.Exported);
        var failed = results.Single(e => e.Cluster == _fleet[2].Name);
        failed.Status.Should().Be(FleetServiceExportStatus.Failed);
        var error = failed.Error.Should().BeOfType<FleetClusterException>().Which;
        error.ErrorId.Should().Be(FleetErrorIds.ResourceNotFound);
        error.Category.Should().Be(FleetErrorCategory.ObjectNotFound);
        error.Cluster.Should().Be(_fleet[2].Name);
        Exports().Should().Equal($"{_fleet[0].Name}/web");
    }
}
