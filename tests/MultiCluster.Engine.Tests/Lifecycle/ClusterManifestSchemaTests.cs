using System.Net;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Engine.Resources;
using MultiCluster.Testing;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Lifecycle;

/// <summary>One management emulator with every Cluster API CRD, shared by the schema tests (started only when the CRDs exist).</summary>
public sealed class ManagementClusterFixture : IAsyncLifetime
{
    public ManagementCluster? Cluster { get; private set; }

    public async Task InitializeAsync()
    {
        if (SharedFiles.Crds is not null) Cluster = await ManagementCluster.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
    }
}

/// <summary>
/// Every object rendered, for each provider, each Cluster API version and ClusterClass mode, is
/// created on an emulator that validates it against the real upstream CRD schema, with strict field
/// validation so that a misspelt or misplaced field fails instead of being pruned.
/// </summary>
public class ClusterManifestSchemaTests(ManagementClusterFixture fixture) : IClassFixture<ManagementClusterFixture>
{
    public static TheoryData<string, FleetClusterApiVersion, bool> Cases()
    {
        var cases = new TheoryData<string, FleetClusterApiVersion, bool>();
        foreach (var version in new[] { FleetClusterApiVersion.V1Beta1, FleetClusterApiVersion.V1Beta2 })
        {
            foreach (var provider in ClusterProviderCatalog.Default.Names) cases.Add(provider, version, false);
            cases.Add("AWS", version, true);
        }
        return cases;
    }

    internal static FleetClusterSpec Spec(string provider, FleetClusterApiVersion version, bool clusterClass, string ns) => new()
    {
        Name = $"{provider.ToLowerInvariant()}-{(clusterClass ? "cc" : "std")}-{version.ToString().ToLowerInvariant()}",
        Provider = provider,
        Region = provider == "Azure" ? "westeurope" : "us-east-1",
        KubernetesVersion = "v1.32.3",
        ControlPlaneReplicas = 3,
        WorkerReplicas = 4,
        AvailabilityZones = provider == "AWS" ? ["us-east-1a", "us-east-1b", "us-east-1c"] : [],
        Bastion = true,
        SshKeyName = "ops",
        Labels = new Dictionary<string, string> { ["env"] = "dev", ["team"] = "platform" },
        Namespace = ns,
        ClusterClass = clusterClass ? "quick-start" : null,
        ApiVersion = version,
    };

    [RequiresSharedCrdsTheory]
    [MemberData(nameof(Cases))]
    public async Task Every_rendered_object_is_accepted_by_the_real_crds(string provider, FleetClusterApiVersion version, bool clusterClass)
    {
        var management = fixture.Cluster!;
        var ns = $"{provider.ToLowerInvariant()}-{version.ToString().ToLowerInvariant()}{(clusterClass ? "-cc" : "")}";
        management.CreateNamespace(ns);
        var rendered = new ClusterManifestService().Render(Spec(provider, version, clusterClass, ns));

        rendered.Objects.Should().HaveCount(clusterClass ? 1 : 7);
        foreach (var obj in rendered.Objects)
        {
            var (status, body) = await management.CreateStrictAsync(obj);
            status.Should().Be(HttpStatusCode.Created, $"{obj.Reference} must be valid: {body}");

            var stored = await management.GetAsync(obj);
            MissingLeaves(obj.Json, stored!.Json, "").Should().BeEmpty($"the server keeps every field of {obj.Reference}");
        }
    }

    /// <summary>Paths of values sent that the stored object lacks or holds differently.</summary>
    internal static IEnumerable<string> MissingLeaves(JsonNode? sent, JsonNode? stored, string path)
    {
        switch (sent)
        {
            case JsonObject map:
                foreach (var (key, value) in map)
                {
                    if (path.Length == 0 && key == "metadata") continue;
                    foreach (var missing in MissingLeaves(value, (stored as JsonObject)?[key], $"{path}.{key}")) yield return missing;
                }
                break;
            case JsonArray list:
                for (var i = 0; i < list.Count; i++)
                {
                    var other = stored is JsonArray storedList && i < storedList.Count ? storedList[i] : null;
                    foreach (var missing in MissingLeaves(list[i], other, $"{path}[{i}]")) yield return missing;
                }
                break;
            default:
                if (!JsonNode.DeepEquals(sent, stored)) yield return path;
                break;
        }
    }
}
