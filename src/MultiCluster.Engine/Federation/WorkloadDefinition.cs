using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Federation;

/// <summary>
/// A workload to federate: the template (one Kubernetes object), where it goes, and what changes
/// per cluster. <see cref="Source"/> names the document in error messages.
/// </summary>
public sealed class WorkloadDefinition
{
    public const string WorkloadLabel = "multicluster.io/workload";

    public required KubeObject Template { get; init; }
    public required ClusterPlacement Placement { get; init; }
    public IReadOnlyList<ClusterOverride> Overrides { get; init; } = [];

    /// <summary>"FederatedDeployment test-namespace/test-deployment (sample.yaml, document 1 (line 1))": how messages name the input.</summary>
    public required string Source { get; init; }

    /// <summary>The workload's name: the template's metadata.name, and the value of <see cref="WorkloadLabel"/>.</summary>
    public string Name => Template.Name;

    public override string ToString() => Source;

    /// <summary>A workload from a plain template (hashtable, YAML or file read by <see cref="ManifestReader"/>).</summary>
    public static WorkloadDefinition FromTemplate(KubeObject template, ClusterPlacement placement, IReadOnlyList<ClusterOverride>? overrides = null) => new()
    {
        Template = template,
        Placement = placement,
        Overrides = overrides ?? [],
        Source = template.Origin is { } origin ? $"{Describe(template)} ({origin})" : Describe(template),
    };

    internal static string Describe(KubeObject obj) =>
        $"{(obj.Kind.Length == 0 ? "(no kind)" : obj.Kind)} {(obj.Namespace is null ? "" : obj.Namespace + "/")}{(obj.Name.Length == 0 ? "(no name)" : obj.Name)}";
}
