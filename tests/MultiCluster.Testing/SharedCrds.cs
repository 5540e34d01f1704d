using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Testing;

/// <summary>Loads the upstream CRDs of shared/crds into an instance.</summary>
public static class SharedCrds
{
    // Parsed once per process: tests load the same folders into many instances, and YAML parsing dominates.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<JsonNode>> Parsed = new();

    /// <summary>Project folders holding CRDs (not the examples or OpenAPI documents).</summary>
    public static IReadOnlyList<string> AllFolders =>
        SharedFiles.Crds is { } root
            ? Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>()
                .Where(f => f is not ("examples" or "kubernetes-openapi-v3")).OrderBy(f => f, StringComparer.Ordinal).ToList()
            : [];

    /// <summary>
    /// Creates every CRD under shared/crds/&lt;folder&gt; for each folder (all project folders when
    /// none are given) and returns the CRD names. Throws when shared/crds is absent.
    /// </summary>
    public static IReadOnlyList<string> LoadInto(EmulatedCluster cluster, params string[] folders)
    {
        var root = SharedFiles.Crds ?? throw new InvalidOperationException(SharedFiles.CrdsMissingReason);
        if (folders.Length == 0) folders = AllFolders.ToArray();
        var names = new List<string>();
        foreach (var folder in folders)
        {
            var directory = Path.Combine(root, folder);
            if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"no CRD folder {folder} under {root}");
            foreach (var file in Directory.EnumerateFiles(directory, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                names.AddRange(LoadFile(cluster, file));
        }
        return names;
    }

    /// <summary>Creates every CustomResourceDefinition document in one YAML file (other documents are skipped).</summary>
    public static IReadOnlyList<string> LoadFile(EmulatedCluster cluster, string path)
    {
        var names = new List<string>();
        var documents = Parsed.GetOrAdd(Path.GetFullPath(path), p => YamlJson.ParseAll(File.ReadAllText(p)));
        foreach (var document in documents)
        {
            if (document.DeepClone() is not JsonObject crd || crd["kind"]?.ToString() != "CustomResourceDefinition") continue;
            var created = cluster.CreateObject(crd);
            names.Add(created["metadata"]!["name"]!.ToString());
        }
        return names;
    }
}
