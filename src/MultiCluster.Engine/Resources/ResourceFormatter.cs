using System.Text.Json.Nodes;

namespace MultiCluster.Engine.Resources;

/// <summary>Builds the public read type from an object read off a cluster.</summary>
internal static class ResourceFormatter
{
    public static FleetResource ToFleetResource(string cluster, KubeObject obj)
    {
        // kubectl hides managedFields by default; they are noise when reading objects.
        var shown = (JsonObject)obj.Json.DeepClone();
        (shown["metadata"] as JsonObject)?.Remove("managedFields");
        var view = new KubeObject(shown);
        return new FleetResource(view.ToYaml)
        {
            Cluster = cluster,
            ApiVersion = view.ApiVersion,
            Kind = view.Kind,
            Namespace = view.Namespace,
            Name = view.Name,
            CreationTimestamp = view.CreationTimestamp,
            Labels = view.Labels,
            Object = ObjectTree.FromJsonObject(shown),
        };
    }
}
