using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;
using MultiCluster.Testing;

namespace MultiCluster.Engine.Tests.FanOut;

/// <summary>Lists read page by page against a real HTTPS emulated API server: results flow before the next page is asked for.</summary>
public sealed class PagedListTests : IAsyncLifetime
{
    private const string Namespace = "paged";
    private const int PageSize = 5;
    private const int ObjectCount = 12; // pages of 5, 5 and 2

    private EmulatedFleet _fleet = null!;
    private EmulatorConnector _connector = null!;

    private EmulatedCluster Cluster => _fleet.Clusters[0];

    public async Task InitializeAsync()
    {
        _fleet = await EmulatedFleet.StartAsync(1, "paged");
        _connector = new EmulatorConnector(_fleet);
        Cluster.CreateObject(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = Namespace } });
        for (var i = 0; i < ObjectCount; i++)
        {
            Cluster.CreateObject(new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "ConfigMap",
                ["metadata"] = new JsonObject { ["name"] = $"cm-{i:D2}", ["namespace"] = Namespace },
            });
        }
        Cluster.RequestLog.Clear();
    }

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    private static readonly ResourceQuery ConfigMaps = new() { ApiVersion = "v1", Kind = "ConfigMap", Namespace = Namespace };

    private List<string> ListRequests() => Cluster.RequestLog.Requests
        .Where(r => r.Method == "GET" && r.Path == $"/api/v1/namespaces/{Namespace}/configmaps")
        .Select(r => r.Query)
        .ToList();

    [Fact]
    public async Task The_first_object_comes_out_before_the_second_page_is_requested()
    {
        var reader = new FleetResourceReader(_connector, null, PageSize);
        var options = new FanOutOptions { ResultBufferSize = 1 };

        await using var outcomes = reader.GetAsync(_connector.Clusters, ConfigMaps, options).GetAsyncEnumerator();
        (await outcomes.MoveNextAsync()).Should().BeTrue();
        outcomes.Current.Value!.Name.Should().Be("cm-00");
        await Task.Delay(300); // time enough for a reader that runs ahead to have fetched the next page
        ListRequests().Should().ContainSingle("only the first page was needed for the first object")
            .Which.Should().Be($"?limit={PageSize}");

        var names = new List<string> { outcomes.Current.Value.Name };
        while (await outcomes.MoveNextAsync()) names.Add(outcomes.Current.Value!.Name);

        names.Should().HaveCount(ObjectCount);
        names.Should().Equal(Enumerable.Range(0, ObjectCount).Select(i => $"cm-{i:D2}"));
        var requests = ListRequests();
        requests.Should().HaveCount(3);
        requests[0].Should().NotContain("continue=");
        requests.Skip(1).Should().OnlyContain(q => q.Contains("continue="));
    }

    [Fact]
    public async Task Stopping_after_the_first_object_requests_no_second_page()
    {
        var reader = new FleetResourceReader(_connector, null, PageSize);

        await foreach (var outcome in reader.GetAsync(_connector.Clusters, ConfigMaps, new FanOutOptions { ResultBufferSize = 1 }))
        {
            outcome.Value!.Name.Should().Be("cm-00");
            break;
        }
        await Task.Delay(300);

        ListRequests().Should().ContainSingle("the run stopped before anyone asked for the second page");
    }

    [Fact]
    public async Task A_continue_token_that_expired_between_pages_starts_the_list_over_once_without_repeating_objects()
    {
        var reader = new FleetResourceReader(_connector, null, PageSize);
        await using var outcomes = reader.GetAsync(_connector.Clusters, ConfigMaps, new FanOutOptions { ResultBufferSize = 1 }).GetAsyncEnumerator();
        (await outcomes.MoveNextAsync()).Should().BeTrue();
        var names = new List<string> { outcomes.Current.Value!.Name };
        Cluster.Clock.Advance(Cluster.ContinueTokenLifetime + TimeSpan.FromSeconds(1)); // the first page's token is now too old

        while (await outcomes.MoveNextAsync())
        {
            outcomes.Current.Error.Should().BeNull();
            names.Add(outcomes.Current.Value!.Name);
        }

        names.Should().HaveCount(ObjectCount);
        names.Should().Equal(Enumerable.Range(0, ObjectCount).Select(i => $"cm-{i:D2}"), "the objects handed out before the restart are not handed out again");
        var expired = Cluster.RequestLog.Requests.Where(r => r.Path.EndsWith("/configmaps", StringComparison.Ordinal) && r.StatusCode == 410).ToList();
        expired.Should().ContainSingle("the expired token was sent once, then the list started over");
        ListRequests().Where(q => !q.Contains("continue=")).Should().HaveCount(2, "the first list and its restart");
    }

    [Fact]
    public async Task A_second_expired_continue_token_fails_the_cluster()
    {
        Cluster.ContinueTokenLifetime = TimeSpan.FromSeconds(-1); // every continue token is already too old
        var reader = new FleetResourceReader(_connector, null, PageSize);

        var outcomes = await reader.GetAsync(_connector.Clusters, ConfigMaps, new FanOutOptions()).ToListAsync();

        outcomes.Should().HaveCount(PageSize + 1, "the first page's objects, then the failure");
        outcomes.Take(PageSize).Should().OnlyContain(o => o.Error == null);
        var error = outcomes[^1].Error!;
        error.ErrorId.Should().Be(FleetErrorIds.ClusterRequestFailed);
        error.Category.Should().Be(FleetErrorCategory.InvalidOperation);
        error.Message.Should().StartWith($"Cluster '{Cluster.Name}' answered 410 for v1 ConfigMap list on cluster '{Cluster.Name}'").And.Contain("The provided continue parameter is too old to display a consistent list result.");
        ListRequests().Should().HaveCount(4, "page one, its expired continuation, the restart, and the second expired continuation");
    }
}
