using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Configuration;

/// <summary>
/// One Secret or ConfigMap to keep the same on clusters: where it goes (name, namespace), what it
/// holds (keys and value readers, the Secret type) and where it came from. Its copies carry the
/// module's managed-by label, <see cref="SyncSetLabel"/> (which sync made them, for -Prune and
/// Extra), <see cref="SourceAnnotation"/> and <see cref="HashAnnotation"/>.
/// </summary>
public sealed class SyncedObject
{
    public const string HashAnnotation = "multicluster.io/content-hash";
    public const string SourceAnnotation = "multicluster.io/sync-source";
    public const string SyncSetLabel = "multicluster.io/synced-by";
    public const string SecretKind = "Secret";
    public const string ConfigMapKind = "ConfigMap";

    private string? _hash;

    public SyncedObject(string kind, string name, string? ns, string type, IReadOnlyList<SecretValue> values, string source, string syncSet)
    {
        Kind = kind;
        Name = name;
        Namespace = ns;
        Type = kind == SecretKind ? type : "";
        Values = values;
        Source = source;
        SyncSet = syncSet;
    }

    /// <summary>Secret or ConfigMap.</summary>
    public string Kind { get; }

    public string Name { get; }

    /// <summary>The namespace the copies go to; null means each cluster's context namespace.</summary>
    public string? Namespace { get; }

    /// <summary>The Secret type (Opaque, kubernetes.io/basic-auth ...); empty for a ConfigMap.</summary>
    public string Type { get; }

    public IReadOnlyList<SecretValue> Values { get; }

    public IReadOnlyList<string> Keys => Values.Select(v => v.Key).Order(StringComparer.Ordinal).ToList();

    /// <summary><c>cluster/namespace/name</c>, a file name, or the parameter the values came from.</summary>
    public string Source { get; }

    /// <summary>The <see cref="SyncSetLabel"/> value: copies with it that the source no longer has are Extra.</summary>
    public string SyncSet { get; }

    /// <summary>The content hash, computed once (reading each value once).</summary>
    public string ContentHash => _hash ??= Configuration.ContentHash.Compute(Kind, Type, Values);

    /// <summary>"Secret app/db (keys: password, username)": what ShouldProcess and -WhatIf show.</summary>
    public string Describe(string? ns)
    {
        var shown = ns ?? Namespace;
        return $"{Kind} {(shown is null ? "" : shown + "/")}{Name} (keys: {string.Join(", ", Keys)})";
    }

    /// <summary>
    /// The object as sent. Values are read here, at the moment the request body is built, and their
    /// byte arrays zeroed once encoded.
    /// </summary>
    internal KubeObject Render()
    {
        var metadata = new JsonObject
        {
            ["name"] = Name,
            ["labels"] = new JsonObject { [KubeObject.ManagedByLabel] = KubeObject.ManagedByValue, [SyncSetLabel] = SyncSet },
            ["annotations"] = new JsonObject { [HashAnnotation] = ContentHash, [SourceAnnotation] = Source },
        };
        if (Namespace is not null) metadata["namespace"] = Namespace;
        var json = new JsonObject { ["apiVersion"] = "v1", ["kind"] = Kind, ["metadata"] = metadata };
        if (Kind == SecretKind) json["type"] = Type;
        var data = new JsonObject();
        var binary = new JsonObject();
        foreach (var value in Values.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            var bytes = value.Read();
            try
            {
                if (Kind == SecretKind) data[value.Key] = Convert.ToBase64String(bytes);
                else if (Utf8Text(bytes) is { } text) data[value.Key] = text;
                else binary[value.Key] = Convert.ToBase64String(bytes);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes);
            }
        }
        if (data.Count > 0) json["data"] = data;
        if (binary.Count > 0) json["binaryData"] = binary;
        return new KubeObject(json);
    }

    /// <summary>The values a live Secret or ConfigMap holds, as readers over its data (for hashing only).</summary>
    internal static IReadOnlyList<SecretValue> ValuesOf(KubeObject live)
    {
        var values = new List<SecretValue>();
        var isSecret = live.Kind == SecretKind;
        foreach (var (key, node) in live.Json["data"] as JsonObject ?? [])
        {
            var text = node?.GetValue<string>() ?? "";
            values.Add(new SecretValue(key, isSecret ? () => Base64(text) : () => Encoding.UTF8.GetBytes(text), text.Length == 0));
        }
        foreach (var (key, node) in live.Json["binaryData"] as JsonObject ?? [])
        {
            var text = node?.GetValue<string>() ?? "";
            values.Add(new SecretValue(key, () => Base64(text), text.Length == 0));
        }
        return values;
    }

    /// <summary>The Secret type of a live object ("Opaque" when absent); empty for a ConfigMap.</summary>
    internal static string TypeOf(KubeObject live) => live.Kind == SecretKind ? live.Json["type"]?.GetValue<string>() ?? "Opaque" : "";

    /// <summary>The hash of what a live copy holds now, whatever its annotation says.</summary>
    internal static string ActualHash(KubeObject live) => Configuration.ContentHash.Compute(live.Kind, TypeOf(live), ValuesOf(live));

    private static byte[] Base64(string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            // Unreadable data hashes as itself: it differs from any source, so shows as Stale.
            return Encoding.UTF8.GetBytes(text);
        }
    }

    private static string? Utf8Text(byte[] bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    public override string ToString() => Describe(null);
}
