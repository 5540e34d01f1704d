using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Inventory;

/// <summary>
/// Export-Fleet: a fleet as a fleet file <see cref="FleetFileParser"/> reads back to the same
/// clusters (name, aliases, context, kubeconfig path, region, role, labels, provider, network,
/// drPeer, purpose, size, k8s_version) and reference-architecture sections. A fleet holds no
/// credentials, so none can reach the file: contexts are referenced by name, kubeconfigs by path.
/// </summary>
public static class FleetFileWriter
{
    public static string Write(Fleet fleet)
    {
        // Written section by section: the parser reads top-level keys in order, and the management
        // section names a cluster the clusters list must have defined first.
        var text = YamlWriter.Write(new JsonObject { ["name"] = fleet.Name })
            + YamlWriter.Write(new JsonObject { ["clusters"] = new JsonArray(fleet.Clusters.Select(c => (JsonNode?)Cluster(c)).ToArray()) });
        if (fleet.Architecture is { } architecture && Architecture(architecture) is { Count: > 0 } sections)
            text += YamlWriter.Write(new JsonObject { ["architecture"] = sections });
        return text;
    }

    /// <summary>
    /// Writes <paramref name="fleet"/> to <paramref name="path"/>; FleetFileExists when the file exists and
    /// <paramref name="force"/> is false, OutputPathNotWritable when its folder does not exist. <paramref name="shownAs"/> is how messages name it (the path as the user typed it).
    /// </summary>
    public static void WriteFile(Fleet fleet, string path, bool force, string? shownAs = null)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full) && !force)
        {
            throw new FleetInputException(Import.FleetImportErrorIds.FleetFileExists, FleetErrorCategory.ResourceExists, full,
                $"The fleet file '{shownAs ?? full}' exists.", recommendedAction: "Give -Force to replace it, or name another file.");
        }
        // As Out-File and Set-Content do: a mistyped folder is an error, not a new folder.
        var folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder))
        {
            throw new FleetInputException(FleetErrorIds.OutputPathNotWritable, FleetErrorCategory.ObjectNotFound, full,
                $"Cannot write the fleet file '{shownAs ?? full}': the folder '{folder}' does not exist.",
                recommendedAction: "Create the folder first (New-Item -ItemType Directory), or name a file in an existing folder.");
        }
        try
        {
            File.WriteAllText(full, Write(fleet));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FleetInputException(FleetErrorIds.OutputPathNotWritable, FleetErrorCategory.PermissionDenied, full,
                $"Cannot write the fleet file '{full}': {e.Message}");
        }
    }

    private static JsonObject Cluster(FleetCluster cluster)
    {
        var entry = new JsonObject { ["name"] = cluster.Name };
        if (cluster.Aliases.Count > 0) entry["aliases"] = new JsonArray(cluster.Aliases.Select(a => (JsonNode?)a).ToArray());
        if (!string.IsNullOrEmpty(cluster.Context) && cluster.Context != cluster.Name) entry["context"] = cluster.Context;
        Add(entry, "kubeconfig", cluster.Kubeconfig);
        Add(entry, "region", cluster.Region);
        entry["role"] = cluster.Role.ToString().ToLowerInvariant();
        if (cluster.Labels.Count > 0)
            entry["labels"] = new JsonObject(cluster.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));
        Add(entry, "provider", cluster.Provider);
        var network = new JsonObject();
        Add(network, "podCidr", cluster.Network.PodCidr);
        Add(network, "serviceCidr", cluster.Network.ServiceCidr);
        if (cluster.Network.ClusterId is { } id) network["clusterId"] = id;
        Add(network, "meshNetwork", cluster.Network.MeshNetwork);
        if (network.Count > 0) entry["network"] = network;
        Add(entry, "drPeer", cluster.DrPeer);
        Add(entry, "purpose", cluster.Purpose);
        Add(entry, "size", cluster.Size);
        Add(entry, "k8s_version", cluster.KubernetesVersion);
        return entry;
    }

    private static JsonObject Architecture(FleetArchitecture architecture)
    {
        var sections = new JsonObject();
        Section(sections, "networking", ("mesh", architecture.Networking.Mesh), ("cross_cluster", architecture.Networking.CrossCluster),
            ("ingress", architecture.Networking.Ingress), ("egress", architecture.Networking.Egress));
        Section(sections, "data", ("replication", architecture.Data.Replication), ("backup", architecture.Data.Backup), ("database", architecture.Data.Database));
        Section(sections, "identity", ("federation", architecture.Identity.Federation), ("rbac_sync", architecture.Identity.RbacSync));
        if (architecture.Management is { } management)
        {
            var section = new JsonObject { ["cluster"] = management.Cluster };
            Add(section, "region", management.Region);
            Add(section, "purpose", management.Purpose);
            Add(section, "size", management.Size);
            if (management.Tools.Count > 0) section["tools"] = new JsonArray(management.Tools.Select(t => (JsonNode?)t).ToArray());
            sections["management"] = section;
        }
        return sections;
    }

    private static void Section(JsonObject sections, string name, params (string Key, FleetArchitectureChoice? Choice)[] choices)
    {
        var section = new JsonObject();
        foreach (var (key, choice) in choices) Add(section, key, choice?.Text);
        if (section.Count > 0) sections[name] = section;
    }

    private static void Add(JsonObject target, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value)) target[key] = value;
    }
}
