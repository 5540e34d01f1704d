using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCluster.Engine.Resources;

/// <summary>
/// One Kubernetes object of any kind, kept as its JSON tree (the unstructured form kubectl uses).
/// The accessors read and write the fields every object has; everything else is in <see cref="Json"/>.
/// </summary>
public sealed class KubeObject
{
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "multicluster";

    public KubeObject(JsonObject json, ManifestOrigin? origin = null)
    {
        Json = json;
        Origin = origin;
    }

    public JsonObject Json { get; }

    /// <summary>Where the object was read from (file and document), for error messages; null when built in code.</summary>
    public ManifestOrigin? Origin { get; }

    public string ApiVersion
    {
        get => GetString(Json, "apiVersion") ?? "";
        set => Json["apiVersion"] = value;
    }

    public string Kind
    {
        get => GetString(Json, "kind") ?? "";
        set => Json["kind"] = value;
    }

    /// <summary>The API group: "" for the core group (<c>v1</c>), <c>apps</c> for <c>apps/v1</c>.</summary>
    public string Group => SplitApiVersion(ApiVersion).Group;

    public string Version => SplitApiVersion(ApiVersion).Version;

    public string Name
    {
        get => GetString(Metadata, "name") ?? "";
        set => EnsureMetadata()["name"] = value;
    }

    /// <summary>The namespace, or null when the object names none.</summary>
    public string? Namespace
    {
        get => GetString(Metadata, "namespace") is { Length: > 0 } ns ? ns : null;
        set
        {
            if (value is null) Metadata?.Remove("namespace");
            else EnsureMetadata()["namespace"] = value;
        }
    }

    public string? ResourceVersion => GetString(Metadata, "resourceVersion");

    public string? Uid => GetString(Metadata, "uid");

    public DateTimeOffset? CreationTimestamp =>
        GetString(Metadata, "creationTimestamp") is { } text && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var when) ? when : null;

    public JsonObject? Metadata => Json["metadata"] as JsonObject;

    public IReadOnlyDictionary<string, string> Labels => ReadStringMap("labels");

    public IReadOnlyDictionary<string, string> Annotations => ReadStringMap("annotations");

    public void SetLabel(string key, string value)
    {
        var metadata = EnsureMetadata();
        if (metadata["labels"] is not JsonObject labels)
        {
            labels = new JsonObject();
            metadata["labels"] = labels;
        }
        labels[key] = value;
    }

    /// <summary>"apps/v1 Deployment default/nginx": how messages and ShouldProcess name the object.</summary>
    public string Reference => $"{ApiVersion} {Kind} {(Namespace is null ? Name : Namespace + "/" + Name)}";

    public KubeObject Clone() => new((JsonObject)Json.DeepClone(), Origin);

    public string ToJson() => Json.ToJsonString();

    public string ToYaml() => YamlWriter.Write(Json);

    public override string ToString() => Reference;

    public static (string Group, string Version) SplitApiVersion(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/');
        return slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
    }

    public static KubeObject Parse(string json) =>
        new(JsonNode.Parse(json) as JsonObject ?? throw new JsonException("The JSON text is not an object."));

    /// <summary>The object in UTF-8 JSON, as an API server answers.</summary>
    public static KubeObject Parse(ReadOnlySpan<byte> utf8Json) =>
        new(JsonNode.Parse(utf8Json) as JsonObject ?? throw new JsonException("The JSON text is not an object."));

    private JsonObject EnsureMetadata()
    {
        if (Json["metadata"] is JsonObject metadata) return metadata;
        metadata = new JsonObject();
        Json["metadata"] = metadata;
        return metadata;
    }

    private IReadOnlyDictionary<string, string> ReadStringMap(string field)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Metadata?[field] is JsonObject entries)
        {
            foreach (var (key, value) in entries)
            {
                if (value is JsonValue scalar) map[key] = scalar.ToString();
            }
        }
        return map;
    }

    private static string? GetString(JsonObject? parent, string field) =>
        parent?[field] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}

/// <summary>
/// Where a manifest document came from: a file (or "(string)"), its 0-based document index and line; or, for an
/// object given as a PowerShell object (<see cref="InputObject"/>), its place among them and line 0.
/// </summary>
public sealed record ManifestOrigin(string Source, int DocumentIndex, int Line)
{
    /// <summary>The source of objects given as PowerShell objects, as the parameter they bind to.</summary>
    public const string InputObject = "-InputObject";

    public static ManifestOrigin OfInputObject(int index) => new(InputObject, index, 0);

    public override string ToString() => Line > 0 ? $"{Source}, document {DocumentIndex + 1} (line {Line})" : $"{Source} #{DocumentIndex + 1}";

    /// <summary>The start of a sentence about it: "Document 2 of f.yaml (line 9)" or "Object #2 of -InputObject".</summary>
    public string Describe() => Line > 0 ? $"Document {DocumentIndex + 1} of {Source} (line {Line})" : $"Object #{DocumentIndex + 1} of {Source}";
}
