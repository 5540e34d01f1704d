using System.Collections.Specialized;
using System.Globalization;

namespace MultiCluster;

/// <summary>
/// One Kubernetes object read from one cluster. <see cref="Object"/> is the whole object as an
/// ordered dictionary tree of strings, longs, doubles, booleans, lists and ordered dictionaries, so
/// it reads naturally in PowerShell (<c>$r.Object.spec.replicas</c>).
/// </summary>
public sealed class FleetResource
{
    private readonly Lazy<string> _yaml;

    /// <param name="renderYaml">Renders the object as YAML; called once, on first use.</param>
    public FleetResource(Func<string> renderYaml)
    {
        _yaml = new Lazy<string>(renderYaml);
    }

    public required string Cluster { get; init; }
    public required string ApiVersion { get; init; }
    public required string Kind { get; init; }

    /// <summary>Null for cluster-scoped objects.</summary>
    public string? Namespace { get; init; }

    public required string Name { get; init; }
    public DateTimeOffset? CreationTimestamp { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
    public required OrderedDictionary Object { get; init; }

    /// <summary>How long ago the object was created, as kubectl shows it (<c>5d</c>, <c>3h</c>, <c>42s</c>).</summary>
    public string Age => CreationTimestamp is { } created ? FormatAge(DateTimeOffset.UtcNow - created) : "<unknown>";

    public string ToYaml() => _yaml.Value;

    public override string ToString() => $"{Cluster}: {Kind} {(Namespace is null ? Name : Namespace + "/" + Name)}";

    private static string FormatAge(TimeSpan age)
    {
        if (age < TimeSpan.Zero) age = TimeSpan.Zero;
        if (age.TotalMinutes < 2) return ((int)age.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";
        if (age.TotalHours < 2) return ((int)age.TotalMinutes).ToString(CultureInfo.InvariantCulture) + "m";
        if (age.TotalDays < 2) return ((int)age.TotalHours).ToString(CultureInfo.InvariantCulture) + "h";
        return ((int)age.TotalDays).ToString(CultureInfo.InvariantCulture) + "d";
    }
}
