using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using MultiCluster.Testing.ApiServer.Schema;

namespace MultiCluster.Testing.ApiServer;

/// <summary>Where a resource's scale subresource reads and writes replicas (CRD <c>subresources.scale</c>).</summary>
public sealed record ScaleSpec(string SpecReplicasPath, string StatusReplicasPath, string? LabelSelectorPath);

/// <summary>One served resource: what discovery lists and what the REST handlers need.</summary>
public sealed record ResourceType
{
    public static readonly IReadOnlyList<string> StandardVerbs =
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public required string Group { get; init; }
    /// <summary>Served versions, the storage version first.</summary>
    public required IReadOnlyList<string> Versions { get; init; }
    public required string Kind { get; init; }
    public required string Plural { get; init; }
    public required string Singular { get; init; }
    public required bool Namespaced { get; init; }
    public IReadOnlyList<string> ShortNames { get; init; } = [];
    public IReadOnlyList<string> Categories { get; init; } = [];
    public IReadOnlyList<string> Verbs { get; init; } = StandardVerbs;
    /// <summary>Subresource names: status, scale, token, ...</summary>
    public IReadOnlyList<string> Subresources { get; init; } = [];
    public ScaleSpec? Scale { get; init; }
    /// <summary>True when the server keeps metadata.generation (Deployments, CRDs, custom resources).</summary>
    public bool TracksGeneration { get; init; }
    /// <summary>Served from a CustomResourceDefinition.</summary>
    public bool IsCustom { get; init; }
    /// <summary>Name of metadata: DNS-1123 subdomain (default), label, or DNS-1035 label.</summary>
    public NameRule NameRule { get; init; } = NameRule.Subdomain;
    /// <summary>Schemas of custom resources by version (null entries when the version has none).</summary>
    public IReadOnlyDictionary<string, StructuralSchema?> Schemas { get; init; } = new Dictionary<string, StructuralSchema?>();
    /// <summary>The CRD's openAPIV3Schema by version, for the /openapi/v3 documents.</summary>
    public IReadOnlyDictionary<string, System.Text.Json.Nodes.JsonObject?> OpenApiSchemas { get; init; } =
        new Dictionary<string, System.Text.Json.Nodes.JsonObject?>();

    /// <summary>
    /// Another API's view of objects stored as <see cref="Storage"/> (events.k8s.io/v1 Event over
    /// core/v1 Event, as kube-apiserver serves both from one storage): the store keeps one table and
    /// converts on the way in and out.
    /// </summary>
    public StorageView? StoredAs { get; init; }

    public string StorageVersion => Versions[0];
    public string ListKind => Kind + "List";
    public string QualifiedResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
    public string QualifiedKind => Group.Length == 0 ? Kind : $"{Kind}.{Group}";
    public bool HasStatus => Subresources.Contains("status");
    public string ApiVersion(string version) => Group.Length == 0 ? version : $"{Group}/{version}";
    public bool Supports(string verb) => Verbs.Contains(verb);
}

public enum NameRule { Subdomain, Label, Dns1035Label }

/// <summary>How a type's objects are kept in another type's table: that type and the two conversions.</summary>
public sealed record StorageView(ResourceType Storage, Func<System.Text.Json.Nodes.JsonObject, System.Text.Json.Nodes.JsonObject> ToStorage,
    Func<System.Text.Json.Nodes.JsonObject, System.Text.Json.Nodes.JsonObject> FromStorage);

/// <summary>The resources an instance serves; built-ins at start, custom resources as CRDs come and go.</summary>
public sealed class ResourceRegistry
{
    private readonly ConcurrentDictionary<(string Group, string Plural), ResourceType> types = new();

    public event Action? Changed;

    public IReadOnlyCollection<ResourceType> All => types.Values.ToList();

    public void Add(ResourceType type)
    {
        types[(type.Group, type.Plural)] = type;
        Changed?.Invoke();
    }

    public bool Remove(string group, string plural)
    {
        var removed = types.TryRemove((group, plural), out _);
        if (removed) Changed?.Invoke();
        return removed;
    }

    public ResourceType? Find(string group, string plural) => types.GetValueOrDefault((group, plural));

    /// <summary>The type served at group/version under this plural, or null.</summary>
    public ResourceType? Find(string group, string version, string plural)
    {
        var type = Find(group, plural);
        return type is not null && type.Versions.Contains(version) ? type : null;
    }

    public ResourceType? FindByKind(string group, string kind) =>
        types.Values.FirstOrDefault(t => t.Group == group && t.Kind == kind);

    /// <summary>Groups with their served versions, preferred version first, in discovery order.</summary>
    public IReadOnlyList<(string Group, IReadOnlyList<string> Versions)> Groups()
    {
        var result = new List<(string, IReadOnlyList<string>)>();
        foreach (var group in types.Values.Select(t => t.Group).Distinct().OrderBy(GroupOrder).ThenBy(g => g, StringComparer.Ordinal))
        {
            var versions = types.Values.Where(t => t.Group == group).SelectMany(t => t.Versions).Distinct()
                .OrderByDescending(VersionPriority).ThenBy(v => v, StringComparer.Ordinal).ToList();
            result.Add((group, versions));
        }
        return result;
    }

    public IEnumerable<ResourceType> InGroupVersion(string group, string version) =>
        types.Values.Where(t => t.Group == group && t.Versions.Contains(version)).OrderBy(t => t.Plural, StringComparer.Ordinal);

    // Built-in groups come first, in the order kube-apiserver lists them; CRD groups after.
    private static int GroupOrder(string group) => group switch
    {
        "" => 0,
        "apps" => 1,
        "authorization.k8s.io" => 2,
        "autoscaling" => 3,
        "rbac.authorization.k8s.io" => 4,
        "apiextensions.k8s.io" => 5,
        _ => 10,
    };

    private static readonly Regex KubeVersion = new(@"^v(\d+)(?:(alpha|beta)(\d+))?$", RegexOptions.Compiled);

    /// <summary>Kubernetes version priority: GA &gt; beta &gt; alpha, higher numbers first; others last.</summary>
    public static long VersionPriority(string version)
    {
        var m = KubeVersion.Match(version);
        if (!m.Success) return 0;
        var major = long.Parse(m.Groups[1].Value);
        var stage = m.Groups[2].Value switch { "" => 3, "beta" => 2, _ => 1 };
        var minor = m.Groups[3].Success ? long.Parse(m.Groups[3].Value) : 0;
        return stage * 1_000_000_000L + major * 10_000L + minor;
    }
}
