using System.Globalization;

namespace MultiCluster;

/// <summary>
/// One Kubernetes Event of one cluster, read through events.k8s.io/v1 where the cluster serves it
/// and core/v1 otherwise: what happened (<see cref="Reason"/>, <see cref="Message"/>) to which
/// object (<see cref="Object"/>), how often and when.
/// </summary>
public sealed class FleetEvent
{
    public required string Cluster { get; init; }
    public required string Namespace { get; init; }

    /// <summary>The kind of the object the event is about (regarding / involvedObject).</summary>
    public required string ObjectKind { get; init; }

    /// <summary>The name of the object the event is about.</summary>
    public required string ObjectName { get; init; }

    /// <summary>The object as <c>Kind/Name</c>, the form -InvolvedObject takes.</summary>
    public string Object => ObjectKind.Length == 0 ? ObjectName : $"{ObjectKind}/{ObjectName}";

    /// <summary>Warning or Normal.</summary>
    public required string Type { get; init; }

    public required string Reason { get; init; }
    public required string Message { get; init; }

    /// <summary>How many times it happened (series.count, deprecatedCount or count; at least 1).</summary>
    public int Count { get; init; } = 1;

    public DateTimeOffset? FirstSeen { get; init; }
    public DateTimeOffset? LastSeen { get; init; }

    /// <summary>Who reported it: reportingController, or the source component (kubelet, deployment-controller ...).</summary>
    public string Source { get; init; } = "";

    /// <summary>The Event object's own name and namespace-scoped identity.</summary>
    public required string EventName { get; init; }

    public string Uid { get; init; } = "";
    public string ResourceVersion { get; init; } = "";

    /// <summary>The API the event was read through: events.k8s.io/v1 or v1.</summary>
    public required string ApiVersion { get; init; }

    /// <summary>How long ago it was last seen, as kubectl's LAST SEEN column shows it (<c>42s</c>, <c>5m</c>, <c>3h</c>, <c>2d</c>).</summary>
    public string LastSeenAge => LastSeen is { } seen ? FormatAge(DateTimeOffset.UtcNow - seen) : "<unknown>";

    public override string ToString() => $"{Cluster}: {Type} {Reason} {Namespace}/{Object}";

    private static string FormatAge(TimeSpan age)
    {
        if (age < TimeSpan.Zero) age = TimeSpan.Zero;
        if (age.TotalMinutes < 2) return ((int)age.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";
        if (age.TotalHours < 2) return ((int)age.TotalMinutes).ToString(CultureInfo.InvariantCulture) + "m";
        if (age.TotalDays < 2) return ((int)age.TotalHours).ToString(CultureInfo.InvariantCulture) + "h";
        return ((int)age.TotalDays).ToString(CultureInfo.InvariantCulture) + "d";
    }
}
