using System.Collections;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Resources;

/// <summary>
/// Turns user input into <see cref="KubeObject"/>s: files and folders (<c>*.yaml</c>, <c>*.yml</c>,
/// <c>*.json</c>), YAML or JSON text, and dictionary trees handed over by the cmdlet layer.
/// Multi-document YAML is split on <c>---</c>, empty documents are skipped and <c>List</c> kinds
/// are expanded into their items. Every object must have apiVersion, kind and metadata.name.
/// </summary>
public static class ManifestReader
{
    private static readonly string[] ManifestExtensions = [".yaml", ".yml", ".json"];

    /// <summary>Reads files, and the manifest files in folders (sorted by path, so order is stable).</summary>
    public static IReadOnlyList<KubeObject> ReadPaths(IEnumerable<string> paths, bool recurse = false)
    {
        var objects = new List<KubeObject>();
        foreach (var path in paths)
        {
            foreach (var file in ExpandPath(path, recurse))
            {
                string text;
                try
                {
                    text = File.ReadAllText(file);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new FleetInputException(FleetErrorIds.ManifestInvalid, FleetErrorCategory.ObjectNotFound, file,
                        $"Cannot read {file}: {ex.Message}", ex);
                }
                objects.AddRange(ReadText(text, file));
            }
        }
        if (objects.Count == 0)
        {
            // As kubectl's "no objects passed to apply": an empty file or a folder without manifests is a mistake, not a no-op.
            var given = string.Join(", ", paths);
            throw new FleetInputException(FleetErrorIds.ManifestInvalid, FleetErrorCategory.InvalidData, given,
                $"{given} holds no Kubernetes objects (no .yaml, .yml or .json file with a document in it).");
        }
        return objects;
    }

    /// <summary>Reads YAML or JSON text; <paramref name="source"/> names it in error messages.</summary>
    public static IReadOnlyList<KubeObject> ReadText(string text, string source = "(string)")
    {
        var objects = new List<KubeObject>();
        foreach (var document in YamlReader.ReadDocuments(text, source))
        {
            if (document.IsEmpty) continue;
            var origin = new ManifestOrigin(source, document.Index, document.Line);
            if (document.Root is not JsonObject root)
            {
                throw Invalid(origin, "is not a mapping (a Kubernetes object must be a YAML mapping or JSON object)");
            }
            AddObject(objects, root, origin);
        }
        return objects;
    }

    /// <summary>
    /// Reads objects given as dictionary trees (Hashtable, ordered dictionary, any IDictionary with
    /// IEnumerable lists inside), or as YAML/JSON strings.
    /// </summary>
    public static IReadOnlyList<KubeObject> ReadObjects(IEnumerable<object?> inputs)
    {
        var objects = new List<KubeObject>();
        var index = 0;
        foreach (var input in inputs)
        {
            switch (input)
            {
                case null:
                    break;
                case string text:
                    objects.AddRange(ReadText(text, $"{ManifestOrigin.InputObject} #{index + 1}"));
                    break;
                case KubeObject kubeObject:
                    AddObject(objects, (JsonObject)kubeObject.Json.DeepClone(), kubeObject.Origin ?? ManifestOrigin.OfInputObject(index));
                    break;
                case IDictionary or JsonObject:
                    var origin = ManifestOrigin.OfInputObject(index);
                    if (ObjectTree.ToJson(input) is not JsonObject root) throw Invalid(origin, "is not a dictionary");
                    AddObject(objects, root, origin);
                    break;
                case IEnumerable nested:
                    objects.AddRange(ReadObjects(nested.Cast<object?>()));
                    break;
                default:
                    throw Invalid(ManifestOrigin.OfInputObject(index),
                        $"has type {input.GetType().Name}; pass a dictionary (hashtable) or YAML text");
            }
            index++;
        }
        return objects;
    }

    private static void AddObject(List<KubeObject> objects, JsonObject root, ManifestOrigin origin)
    {
        var kind = root["kind"] is JsonValue kindValue && kindValue.TryGetValue<string>(out var text) ? text : "";
        if (kind.EndsWith("List", StringComparison.Ordinal) && root["items"] is JsonArray items)
        {
            foreach (var item in items)
            {
                if (item is not JsonObject itemObject) throw Invalid(origin, $"has an item in its {kind} that is not an object");
                AddObject(objects, (JsonObject)itemObject.DeepClone(), origin);
            }
            return;
        }

        var candidate = new KubeObject(root, origin);
        var missing = new List<string>();
        if (candidate.ApiVersion.Length == 0) missing.Add("apiVersion");
        if (candidate.Kind.Length == 0) missing.Add("kind");
        if (candidate.Name.Length == 0) missing.Add("metadata.name");
        if (missing.Count > 0) throw Invalid(origin, $"has no {string.Join(", ", missing)}");
        objects.Add(candidate);
    }

    private static IEnumerable<string> ExpandPath(string path, bool recurse)
    {
        if (File.Exists(path)) return [Path.GetFullPath(path)];
        if (Directory.Exists(path))
        {
            var files = Directory.EnumerateFiles(path, "*", recurse ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
                .Where(file => ManifestExtensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase))
                .Select(Path.GetFullPath)
                .OrderBy(file => file, StringComparer.Ordinal)
                .ToList();
            return files;
        }
        throw new FleetInputException(FleetErrorIds.ManifestInvalid, FleetErrorCategory.ObjectNotFound, path,
            $"Cannot find the manifest path {path}.");
    }

    private static FleetInputException Invalid(ManifestOrigin origin, string problem) =>
        new(FleetErrorIds.ManifestInvalid, FleetErrorCategory.InvalidData, origin.Source,
            $"{origin.Describe()} {problem}.",
            recommendedAction: "Every object needs apiVersion, kind and metadata.name.");
}
