using System.Collections;
using System.Net;
using k8s;
using k8s.Autorest;
using MultiCluster.Engine.Access;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Tests.FanOut;
using MultiCluster.Testing;
using MultiCluster.Testing.ApiServer.Auth;

namespace MultiCluster.Engine.Tests.Access;

/// <summary>Set-FleetOidc's group bindings through RbacService, on emulated API servers that enforce RBAC for tokens with OIDC-prefixed groups.</summary>
public sealed class OidcGroupBindingLiveTests : IAsyncLifetime
{
    private EmulatedFleet _fleet = null!;
    private EmulatorConnector _connector = null!;

    public async Task InitializeAsync()
    {
        _fleet = await EmulatedFleet.StartAsync(2, "oidc-rbac");
        _connector = new EmulatorConnector(_fleet);
    }

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    private static Kubernetes ClientFor(EmulatedCluster cluster, string token) => RbacServiceLiveTests.ClientFor(cluster, token);

    [Fact]
    public async Task Admins_may_do_everything_viewers_only_their_rules_and_others_nothing_on_every_cluster()
    {
        var definitions = OidcGroupBindings.Create(new Hashtable
        {
            ["oidc:platform-admins"] = OidcGroupBindings.ClusterAdmin,
            ["oidc:viewers"] = new Hashtable { ["apiGroups"] = "", ["resources"] = "configmaps", ["verbs"] = new[] { "get", "list" } },
        });
        var rbac = new RbacService(_connector);

        var results = await rbac.ApplyAsync(rbac.Plan(_connector.Clusters, definitions), new ApplyOptions()).ToListAsync();

        results.Should().HaveCount(8).And.OnlyContain(r => r.Action == FleetResourceAction.Created);
        foreach (var cluster in _fleet.Clusters)
        {
            using var admin = ClientFor(cluster, cluster.Tokens.Mint("oidc:ada@example.com", "oidc:platform-admins"));
            (await admin.CoreV1.ListNamespacedSecretAsync("default")).Should().NotBeNull();
            (await admin.CoreV1.ListNamespacedConfigMapAsync("default")).Should().NotBeNull();

            using var viewer = ClientFor(cluster, cluster.Tokens.Mint("oidc:vic@example.com", "oidc:viewers"));
            (await viewer.CoreV1.ListNamespacedConfigMapAsync("default")).Should().NotBeNull();
            var viewerSecrets = () => viewer.CoreV1.ListNamespacedSecretAsync("default");
            (await viewerSecrets.Should().ThrowAsync<HttpOperationException>()).Which.Response.StatusCode.Should().Be(HttpStatusCode.Forbidden);

            // The same name without the prefix is another group: the prefix keeps OIDC groups apart from others.
            using var unprefixed = ClientFor(cluster, cluster.Tokens.Mint("mallory", "platform-admins"));
            var unprefixedConfigMaps = () => unprefixed.CoreV1.ListNamespacedConfigMapAsync("default");
            (await unprefixedConfigMaps.Should().ThrowAsync<HttpOperationException>()).Which.Response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task A_prune_of_Set_FleetRbac_leaves_the_group_bindings_alone()
    {
        var definitions = OidcGroupBindings.Create(new Hashtable { ["oidc:platform-admins"] = OidcGroupBindings.ClusterAdmin });
        var rbac = new RbacService(_connector);
        await rbac.ApplyAsync(rbac.Plan(_connector.Clusters, definitions), new ApplyOptions()).ToListAsync();

        var plan = await rbac.PlanPruneAsync(_connector.Clusters, [], new DeleteOptions { MaxClusters = int.MaxValue, MaxFleetShare = 1 });

        plan.Targets.Should().BeEmpty("Set-FleetOidc's group bindings are in a prune scope of their own");
    }
}
