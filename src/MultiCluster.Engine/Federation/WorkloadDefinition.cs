using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Federation;

/// <summary>
/// Which clusters a workload goes to. <see cref="Clusters"/> (from the pipeline) replaces the
/// fleet as the candidates; <see cref="ClusterNames"/> (wildcards allowed, ORed) and
/// <see cref="LabelSelector"/> narrow them, ANDed, as every cmdlet selects clusters. A placement
/// that names nothing selects nothing: use <see cref="Everywhere"/> for the whole fleet.
/// </summary>
public sealed record WorkloadPlacement
{
    public static WorkloadPlacement Everywhere { get; } = new() { ClusterNames = ["*"] };

    /// <summary>Cluster names or wildcard patterns, case-insensitive.</summary>
    public IReadOnlyList<string>? ClusterNames { get; init; }

    /// <summary>A label selector in kubectl's syntax (<c>env=prod,tier in (gold)</c>).</summary>
    public string? LabelSelector { get; init; }

    /// <summary>Clusters given as objects (the pipeline).</summary>
    public IReadOnlyList<FleetCluster>? Clusters { get; init; }

    public bool IsEmpty => (ClusterNames is null || ClusterNames.All(string.IsNullOrWhiteSpace))
                           && string.IsNullOrWhiteSpace(LabelSelector)
                           && (Clusters is null || Clusters.Count == 0);

    public override string ToString()
    {
        var parts = new List<string>();
        if (Clusters is { Count: > 0 }) parts.Add("clusters " + string.Join(", ", Clusters.Select(c => c.Name)));
        if (ClusterNames is { Count: > 0 }) parts.Add("names " + string.Join(", ", ClusterNames));
        if (!string.IsNullOrWhiteSpace(LabelSelector)) parts.Add($"labels '{LabelSelector}'");
        return parts.Count == 0 ? "(no placement)" : string.Join(" and ", parts);
    }
}

/// <summary>
/// A workload to federate: the template (one Kubernetes object), where it goes, and what changes
/// per cluster. <see cref="Source"/> names the document in error messages.
/// </summary>
public sealed class WorkloadDefinition
{
    public const string WorkloadLabel = "multicluster.io/workload";

    public required KubeObject Template { get; init; }
    public required WorkloadPlacement Placement { get; init; }
    public IReadOnlyList<ClusterOverride> Overrides { get; init; } = [];

    /// <summary>"FederatedDeployment test-namespace/test-deployment (sample.yaml, document 1 (line 1))": how messages name the input.</summary>
    public required string Source { get; init; }

    /// <summary>The workload's name: the template's metadata.name, and the value of <see cref="WorkloadLabel"/>.</summary>
    public string Name => Template.Name;

    public override string ToString() => Source;

    /// <summary>A workload from a plain template (hashtable, YAML or file read by <see cref="ManifestReader"/>).</summary>
    public static WorkloadDefinition FromTemplate(KubeObject template, WorkloadPlacement placement, IReadOnlyList<ClusterOverride>? overrides = null) => new()
    {
        Template = template,
        Placement = placement,
        Overrides = overrides ?? [],
        Source = template.Origin is { } origin ? $"{Describe(template)} ({origin})" : Describe(template),
    };

    internal static string Describe(KubeObject obj) =>
        $"{(obj.Kind.Length == 0 ? "(no kind)" : obj.Kind)} {(obj.Namespace is null ? "" : obj.Namespace + "/")}{(obj.Name.Length == 0 ? "(no name)" : obj.Name)}";
}
