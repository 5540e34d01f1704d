using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Observability.Events;

/// <summary>Which events to read: checked by <see cref="Create"/> before any cluster is asked.</summary>
public sealed record EventQuery
{
    /// <summary>One namespace; every namespace when null.</summary>
    public string? Namespace { get; init; }

    /// <summary>Only events last seen this long ago or later.</summary>
    public TimeSpan? Since { get; init; }

    /// <summary>Kind of the object the events are about (regarding / involvedObject), or null.</summary>
    public string? ObjectKind { get; init; }

    /// <summary>Name of the object the events are about, or null.</summary>
    public string? ObjectName { get; init; }

    public string? Reason { get; init; }

    /// <summary>Warning or Normal; null for every type.</summary>
    public string? Type { get; init; } = "Warning";

    /// <summary>
    /// A query from what the user typed: <paramref name="type"/> All, Warning or Normal;
    /// <paramref name="involvedObject"/> <c>Kind/Name</c> or <c>Name</c>; <paramref name="since"/> positive.
    /// Throws <see cref="FleetInputException"/> naming the parameter otherwise.
    /// </summary>
    public static EventQuery Create(string type = "Warning", string? ns = null, TimeSpan? since = null,
        string? involvedObject = null, string? reason = null)
    {
        var normalizedType = type.ToLowerInvariant() switch
        {
            "all" => null,
            "warning" => "Warning",
            "normal" => "Normal",
            _ => throw new FleetInputException(EventErrorIds.EventTypeInvalid, FleetErrorCategory.InvalidArgument, "Type",
                $"-Type '{type}' is not an event type.", recommendedAction: "Give -Type All, Warning or Normal."),
        };
        if (since is { } window && window <= TimeSpan.Zero)
            throw new FleetInputException(EventErrorIds.SinceInvalid, FleetErrorCategory.InvalidArgument, "Since",
                $"-Since {window} is not a positive time span: it names how far back to look.",
                recommendedAction: "Give a positive TimeSpan, for example -Since (New-TimeSpan -Hours 1) or -Since 01:00:00.");
        var (kind, name) = ParseInvolvedObject(involvedObject);
        return new EventQuery
        {
            Type = normalizedType,
            Namespace = string.IsNullOrWhiteSpace(ns) ? null : ns,
            Since = since,
            ObjectKind = kind,
            ObjectName = name,
            Reason = string.IsNullOrWhiteSpace(reason) ? null : reason,
        };
    }

    private static (string? Kind, string? Name) ParseInvolvedObject(string? value)
    {
        if (value is null) return (null, null);
        var parts = value.Split('/');
        var valid = parts.Length is 1 or 2 && parts.All(p => p.Length > 0 && !p.Any(char.IsWhiteSpace));
        if (!valid)
            throw new FleetInputException(EventErrorIds.InvolvedObjectInvalid, FleetErrorCategory.InvalidArgument, "InvolvedObject",
                $"-InvolvedObject '{value}' is not Kind/Name or Name.",
                recommendedAction: "Name the object as kubectl does, for example -InvolvedObject Pod/web-7d4b9c6f5-x2x9k or -InvolvedObject web.");
        // Events hold the Kind (Pod), not the resource (pod, pods): a lower-case kind would match nothing, silently.
        if (parts.Length == 2 && !char.IsUpper(parts[0][0]))
            throw new FleetInputException(EventErrorIds.InvolvedObjectInvalid, FleetErrorCategory.InvalidArgument, "InvolvedObject",
                $"-InvolvedObject '{value}': '{parts[0]}' is not a Kind; events name the kind as the API does, capitalised and singular.",
                recommendedAction: "Write the kind as kubectl get prints it in KIND, for example -InvolvedObject Pod/web-7d4b9c6f5-x2x9k or Deployment/web.");
        return parts.Length == 2 ? (parts[0], parts[1]) : (null, parts[0]);
    }

    /// <summary>
    /// True when an event read back passes every filter: kind, name and reason exactly, as the API
    /// server's field selectors compare them (servers that ignore a selector are caught here too).
    /// </summary>
    public bool Matches(FleetEvent e, DateTimeOffset now) =>
        (Type is null || string.Equals(e.Type, Type, StringComparison.OrdinalIgnoreCase))
        && (Namespace is null || e.Namespace == Namespace)
        && (ObjectKind is null || e.ObjectKind == ObjectKind)
        && (ObjectName is null || e.ObjectName == ObjectName)
        && (Reason is null || e.Reason == Reason)
        && (Since is not { } since || (e.LastSeen ?? e.FirstSeen) is not { } seen || seen >= now - since);
}
