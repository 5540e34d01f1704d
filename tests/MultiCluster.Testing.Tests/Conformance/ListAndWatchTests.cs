using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace MultiCluster.Testing.Tests.Conformance;

/// <summary>
/// Reads as the API concepts page documents them (reference/using-api/api-concepts: efficient detection
/// of changes, watch bookmarks, retrieving large results in chunks; labels and field selectors).
/// </summary>
[Trait("Category", "Conformance")]
public sealed class ListAndWatchTests
{
    private static async Task CreateConfigMapAsync(ConformanceTarget t, string name, string? tier = null)
    {
        // Every namespace also holds kube-root-ca.crt (the root CA publisher's): lists select the test's own by label.
        var labels = new JsonObject { ["set"] = "conformance" };
        if (tier is not null) labels["tier"] = tier;
        var metadata = new JsonObject { ["name"] = name, ["labels"] = labels };
        var body = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = metadata, ["data"] = new JsonObject { ["k"] = "v" } };
        (await t.SendAsync(HttpMethod.Post, t.PathOf("", "v1", "configmaps"), body.ToJsonString())).ShouldHaveCode(201);
    }

    private static string[] Names(ApiResponse list) =>
        list.ShouldHaveCode(200).Object["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()).ToArray();

    private sealed record Watched(List<(WatchEventType Type, V1ConfigMap Object)> Events, List<Exception> Errors);

    /// <summary>
    /// Watches the namespace's config maps through the real KubernetesClient until the server ends the watch
    /// (timeoutSeconds) or after the first event; ERROR events reach the client's onError as KubernetesException.
    /// </summary>
    private static async Task<Watched> WatchAsync(ConformanceTarget t, string resourceVersion, int timeoutSeconds, Func<Task> whileWatching,
        string? labelSelector = null, bool bookmarks = false, bool stopAfterFirst = false)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var watched = new Watched(new(), new());
        var reading = Task.Run(async () =>
        {
            await foreach (var e in t.Client.CoreV1.WatchListNamespacedConfigMapAsync(t.Namespace, allowWatchBookmarks: bookmarks,
                               labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds,
                               onError: error => { lock (watched) watched.Errors.Add(error); }, cancellationToken: cancel.Token))
            {
                lock (watched) watched.Events.Add(e);
                if (stopAfterFirst) return;
            }
        });
        await whileWatching();
        await reading;
        return watched;
    }

    [ConformanceTheory]
    public async Task Label_selectors_and_metadata_field_selectors_filter_lists_and_other_field_labels_are_400(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        foreach (var (name, tier) in new[] { ("a", "web"), ("b", "db"), ("c", "web"), ("d", "cache"), ("e", null) })
            await CreateConfigMapAsync(t, name, tier);
        var path = t.PathOf("", "v1", "configmaps");
        Task<ApiResponse> List(string query) => t.SendAsync(HttpMethod.Get, path + "?" + query);
        Task<ApiResponse> Labelled(string selector) => List("labelSelector=" + Uri.EscapeDataString("set=conformance," + selector));

        Names(await Labelled("tier=web")).Should().Equal("a", "c");
        Names(await Labelled("tier==web")).Should().Equal("a", "c");
        Names(await Labelled("tier!=web")).Should().Equal("b", "d", "e");
        Names(await Labelled("tier in (db,cache)")).Should().Equal("b", "d");
        Names(await Labelled("tier notin (web)")).Should().Equal("b", "d", "e");
        Names(await Labelled("tier")).Should().Equal("a", "b", "c", "d");
        Names(await Labelled("!tier")).Should().Equal("e");
        Names(await List("fieldSelector=" + Uri.EscapeDataString("metadata.name=c"))).Should().Equal("c");
        Names(await List("labelSelector=set%3Dconformance&fieldSelector=" + Uri.EscapeDataString($"metadata.namespace={t.Namespace},metadata.name!=a")))
            .Should().Equal("b", "c", "d", "e");

        // Only the field labels a kind converts are selectable (handlers/get.go: BadRequest from ConvertFieldLabel).
        (await List("fieldSelector=" + Uri.EscapeDataString("data.k=v"))).ShouldBeStatus(400, "BadRequest")
            .Should().Be("field label not supported: data.k");
    }

    [ConformanceTheory]
    public async Task A_limited_list_pages_with_continue_tokens_counts_the_rest_only_without_a_selector_and_a_garbled_token_is_400(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        foreach (var name in new[] { "a", "b", "c", "d", "e" })
            await CreateConfigMapAsync(t, name);
        var path = t.PathOf("", "v1", "configmaps");

        // Without a selector a page counts what follows it (ListMeta.remainingItemCount); the namespace also
        // holds kube-root-ca.crt, so the count is read against the whole list.
        var all = Names(await t.SendAsync(HttpMethod.Get, path)).Length;
        var unselected = await t.SendAsync(HttpMethod.Get, path + "?limit=2");
        Names(unselected).Should().HaveCount(2);
        unselected.Object["metadata"]!["remainingItemCount"]!.GetValue<long>().Should().Be(all - 2);

        // With one it cannot know how many of the rest match, and says nothing (etcd3 store GetList: only when the predicate is empty).
        path += "?labelSelector=set%3Dconformance";
        var page1 = await t.SendAsync(HttpMethod.Get, path + "&limit=2");
        Names(page1).Should().Equal("a", "b");
        page1.Object["metadata"]!["remainingItemCount"].Should().BeNull();
        var page2 = await t.SendAsync(HttpMethod.Get, path + "&limit=2&continue=" + Uri.EscapeDataString(page1.StringAt("metadata", "continue")!));
        Names(page2).Should().Equal("c", "d");
        var page3 = await t.SendAsync(HttpMethod.Get, path + "&limit=2&continue=" + Uri.EscapeDataString(page2.StringAt("metadata", "continue")!));
        Names(page3).Should().Equal("e");
        page3.StringAt("metadata", "continue").Should().BeNullOrEmpty();

        // k8s.io/apiserver/pkg/storage/continue.go DecodeContinue, wrapped by the store as "invalid continue token: ...".
        (await t.SendAsync(HttpMethod.Get, path + "&limit=2&continue=not*a*token")).ShouldBeStatus(400, "BadRequest")
            .Should().StartWith("invalid continue token: continue key is not valid");
    }

    [ConformanceTheory(EmulatorOnlyBecause = "a real server's continue tokens expire only when etcd compacts (every 5 minutes), which a test cannot force")]
    public async Task A_continue_token_older_than_compaction_is_410_Expired_with_a_token_to_go_on(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        foreach (var name in new[] { "a", "b", "c" })
            await CreateConfigMapAsync(t, name);
        var path = t.PathOf("", "v1", "configmaps") + "?labelSelector=set%3Dconformance";
        var token = (await t.SendAsync(HttpMethod.Get, path + "&limit=1")).StringAt("metadata", "continue")!;

        var emulated = t.EmulatedCluster!;
        emulated.Clock.Advance(emulated.ContinueTokenLifetime + TimeSpan.FromSeconds(1));
        var expired = await t.SendAsync(HttpMethod.Get, path + "&limit=1&continue=" + Uri.EscapeDataString(token));

        // k8s.io/apiserver/pkg/storage/etcd3/store.go: NewResourceExpired with this message and an inconsistent continue token.
        expired.ShouldBeStatus(410, "Expired").Should().Be(
            "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, "
            + "or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an "
            + "inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
        var inconsistent = expired.StringAt("metadata", "continue")!;
        Names(await t.SendAsync(HttpMethod.Get, path + "&limit=5&continue=" + Uri.EscapeDataString(inconsistent))).Should().Equal("b", "c");
    }

    [ConformanceTheory]
    public async Task A_watch_from_a_lists_resourceVersion_sees_every_change_in_order_and_bookmarks(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        var path = t.PathOf("", "v1", "configmaps");
        var listRv = long.Parse((await t.SendAsync(HttpMethod.Get, path)).ShouldHaveCode(200).StringAt("metadata", "resourceVersion")!);

        // A real server sends a bookmark at the latest 2 s before a watch's deadline (apiserver cacher's
        // nextBookmarkTime); 7 s leaves room for it on both targets.
        // Selected by label: the root CA publisher may add kube-root-ca.crt to the new namespace meanwhile.
        var watched = await WatchAsync(t, listRv.ToString(), timeoutSeconds: 7, labelSelector: "set=conformance", bookmarks: true, whileWatching: async () =>
        {
            await CreateConfigMapAsync(t, "watched");
            (await t.SendAsync(HttpMethod.Patch, path + "/watched", """{"data":{"k":"2"}}""", "application/merge-patch+json")).ShouldHaveCode(200);
            (await t.SendAsync(HttpMethod.Delete, path + "/watched")).ShouldHaveCode(200);
        });

        watched.Errors.Should().BeEmpty();
        var changes = watched.Events.Where(e => e.Type != WatchEventType.Bookmark).ToList();
        changes.Select(e => (e.Type, e.Object.Metadata.Name))
            .Should().Equal((WatchEventType.Added, "watched"), (WatchEventType.Modified, "watched"), (WatchEventType.Deleted, "watched"));
        var changeRvs = changes.Select(e => long.Parse(e.Object.Metadata.ResourceVersion)).ToList();
        changeRvs.Should().BeInAscendingOrder().And.OnlyContain(rv => rv > listRv);
        var bookmarks = watched.Events.Where(e => e.Type == WatchEventType.Bookmark).ToList();
        bookmarks.Should().NotBeEmpty("allowWatchBookmarks asks for them");
        foreach (var (_, bookmark) in bookmarks)
        {
            bookmark.Kind.Should().Be("ConfigMap", "a bookmark carries an object of the watched kind");
            long.Parse(bookmark.Metadata.ResourceVersion).Should().BeGreaterThanOrEqualTo(listRv);
        }
    }

    [ConformanceTheory]
    public async Task A_watch_from_a_compacted_resourceVersion_gets_an_ERROR_event_410_Expired(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        await CreateConfigMapAsync(t, "a");
        // A real server has long compacted revision 1 (etcd compaction, and the watch cache keeps only recent
        // history); the emulator forgets its history on demand as compaction would.
        t.EmulatedCluster?.Store.Compact();

        var watched = await WatchAsync(t, "1", timeoutSeconds: 5, whileWatching: () => Task.CompletedTask);

        // Cacher: NewResourceExpired("too old resource version: RV (OLDEST)"); an uncached etcd watch:
        // "The resourceVersion for the provided watch is too old." Both are an ERROR event, code 410, reason Expired.
        watched.Events.Should().BeEmpty();
        var error = watched.Errors.Should().ContainSingle().Which.Should().BeOfType<KubernetesException>().Subject;
        (error.Status.Code, error.Status.Reason).Should().Be((410, "Expired"));
        error.Status.Message.Should().Contain("too old");
    }
}
