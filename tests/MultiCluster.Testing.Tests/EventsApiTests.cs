using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using MultiCluster.Testing.Tests.Auth;

namespace MultiCluster.Testing.Tests;

/// <summary>core/v1 and events.k8s.io/v1 Events: one storage, two views, as kube-apiserver serves them.</summary>
public sealed class EventsApiTests : IAsyncLifetime
{
    private EmulatedCluster _cluster = null!;
    private Kubernetes _admin = null!;

    public async Task InitializeAsync()
    {
        _cluster = await EmulatedCluster.StartAsync();
        _admin = EmulatorClients.Admin(_cluster);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _cluster.DisposeAsync();
    }

    private static Corev1Event CoreEvent(string name, string type, string reason) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "web-1", NamespaceProperty = "default", ApiVersion = "v1" },
        Type = type,
        Reason = reason,
        Message = "Back-off restarting failed container",
        Source = new V1EventSource { Component = "kubelet", Host = "node-1" },
        Count = 4,
        FirstTimestamp = new DateTime(2026, 1, 1, 10, 0, 0, DateTimeKind.Utc),
        LastTimestamp = new DateTime(2026, 1, 1, 10, 5, 0, DateTimeKind.Utc),
        ReportingComponent = "kubelet",
    };

    [Fact]
    public async Task A_core_event_reads_through_events_k8s_io_with_the_servers_field_mapping()
    {
        await _admin.CoreV1.CreateNamespacedEventAsync(CoreEvent("web-1.abc", "Warning", "BackOff"), "default");

        var events = (await _admin.EventsV1.ListNamespacedEventAsync("default")).Items;

        events.Should().HaveCount(1);
        var e = events[0];
        e.ApiVersion.Should().Be("events.k8s.io/v1");
        e.Regarding.Kind.Should().Be("Pod");
        e.Regarding.Name.Should().Be("web-1");
        e.Note.Should().Be("Back-off restarting failed container");
        e.DeprecatedCount.Should().Be(4);
        e.DeprecatedFirstTimestamp.Should().Be(new DateTime(2026, 1, 1, 10, 0, 0, DateTimeKind.Utc));
        e.DeprecatedLastTimestamp.Should().Be(new DateTime(2026, 1, 1, 10, 5, 0, DateTimeKind.Utc));
        e.DeprecatedSource.Component.Should().Be("kubelet");
        e.ReportingController.Should().Be("kubelet");
        e.Reason.Should().Be("BackOff");
        e.Type.Should().Be("Warning");
    }

    [Fact]
    public async Task An_events_k8s_io_event_reads_through_core_v1_and_both_select_by_their_own_field_names()
    {
        var created = await _admin.EventsV1.CreateNamespacedEventAsync(new Eventsv1Event
        {
            Metadata = new V1ObjectMeta { Name = "web.def" },
            EventTime = new DateTime(2026, 1, 1, 11, 0, 0, DateTimeKind.Utc),
            Regarding = new V1ObjectReference { Kind = "Deployment", Name = "web", NamespaceProperty = "default" },
            Note = "Scaled up replica set web-5f to 3",
            Reason = "ScalingReplicaSet",
            Type = "Normal",
            Action = "Scale",
            ReportingController = "deployment-controller",
            ReportingInstance = "kcm-1",
            Series = new Eventsv1EventSeries { Count = 2, LastObservedTime = new DateTime(2026, 1, 1, 11, 2, 0, DateTimeKind.Utc) },
        }, "default");
        await _admin.CoreV1.CreateNamespacedEventAsync(CoreEvent("web-1.abc", "Warning", "BackOff"), "default");

        var core = await _admin.CoreV1.ReadNamespacedEventAsync("web.def", "default");
        core.InvolvedObject.Kind.Should().Be("Deployment");
        core.Message.Should().Be("Scaled up replica set web-5f to 3");
        core.ReportingComponent.Should().Be("deployment-controller");
        core.Series.Count.Should().Be(2);
        core.Metadata.Uid.Should().Be(created.Metadata.Uid, "one object behind both APIs");

        (await _admin.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.kind=Deployment")).Items
            .Select(e => e.Metadata.Name).Should().Equal("web.def");
        (await _admin.EventsV1.ListNamespacedEventAsync("default", fieldSelector: "regarding.kind=Pod,type=Warning")).Items
            .Select(e => e.Metadata.Name).Should().Equal("web-1.abc");
    }

    [Fact]
    public async Task A_watch_of_events_k8s_io_sees_core_writes_and_a_compacted_history_is_410_Expired()
    {
        var list = await _admin.EventsV1.ListNamespacedEventAsync("default");
        await _admin.CoreV1.CreateNamespacedEventAsync(CoreEvent("web-1.abc", "Warning", "BackOff"), "default");

        var lines = await WatchLinesAsync($"/apis/events.k8s.io/v1/namespaces/default/events?watch=true&resourceVersion={list.Metadata.ResourceVersion}&timeoutSeconds=1");
        lines.Should().HaveCount(1);
        lines[0]["type"]!.GetValue<string>().Should().Be("ADDED");
        lines[0]["object"]!["apiVersion"]!.GetValue<string>().Should().Be("events.k8s.io/v1");
        lines[0]["object"]!["regarding"]!["name"]!.GetValue<string>().Should().Be("web-1");

        _cluster.Store.Compact();
        var expired = await WatchLinesAsync($"/api/v1/namespaces/default/events?watch=true&resourceVersion={list.Metadata.ResourceVersion}&timeoutSeconds=1");
        expired.Should().HaveCount(1);
        expired[0]["type"]!.GetValue<string>().Should().Be("ERROR");
        expired[0]["object"]!["code"]!.GetValue<int>().Should().Be(410);
        expired[0]["object"]!["reason"]!.GetValue<string>().Should().Be("Expired");
    }

    private async Task<List<JsonObject>> WatchLinesAsync(string path)
    {
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_cluster.Server, path));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _cluster.AdminToken);
        using var response = await http.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
        return body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
    }
}
