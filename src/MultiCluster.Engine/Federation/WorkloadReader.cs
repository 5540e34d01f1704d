using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Federation;

/// <summary>
/// Turns what Publish-FleetWorkload is given into workload definitions: each object (read by
/// <see cref="ManifestReader"/> from a hashtable, YAML text, a file or the pipeline) is either a
/// plain template, placed and overridden as the caller says, or a KubeFed Federated&lt;Kind&gt;
/// document, which carries its own placement and overrides.
/// </summary>
public static class WorkloadReader
{
    /// <param name="overrides">Applied after a KubeFed document's own overrides, or as the only ones for a plain template.</param>
    public static IReadOnlyList<WorkloadDefinition> Read(IReadOnlyList<KubeObject> objects, ClusterPlacement placement,
        IReadOnlyList<ClusterOverride>? overrides = null)
    {
        if (objects.Count == 0)
        {
            throw new FleetInputException(FleetErrorIds.ManifestInvalid, FleetErrorCategory.InvalidData, "(template)",
                "No workload template was given.", recommendedAction: "Pass a Kubernetes object as a hashtable, YAML text, a file, or a KubeFed Federated<Kind> document.");
        }
        var extra = overrides ?? [];
        var definitions = new List<WorkloadDefinition>();
        foreach (var obj in objects)
        {
            if (!KubeFedReader.IsKubeFed(obj))
            {
                definitions.Add(WorkloadDefinition.FromTemplate(obj, placement, extra));
                continue;
            }
            var kubeFed = KubeFedReader.Read(obj);
            if (!placement.IsEmpty)
            {
                throw new FleetInputException(PlacementErrorIds.PlacementConflict, FleetErrorCategory.InvalidArgument, kubeFed.Source,
                    $"The KubeFed document {kubeFed.Source} carries its own placement (spec.placement), so no other placement ({placement}) can be given with it.",
                    recommendedAction: "Drop -Cluster, -Selector and piped clusters, or edit spec.placement.");
            }
            definitions.Add(new WorkloadDefinition
            {
                Template = kubeFed.Template,
                Placement = kubeFed.Placement,
                Overrides = [.. kubeFed.Overrides, .. extra],
                Source = kubeFed.Source,
            });
        }
        return definitions;
    }
}
