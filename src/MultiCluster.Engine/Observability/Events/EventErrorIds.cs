namespace MultiCluster.Engine.Observability.Events;

/// <summary>Stable error ids of fleet events, beside <see cref="Errors.FleetErrorIds"/>.</summary>
public static class EventErrorIds
{
    /// <summary>-InvolvedObject is not <c>Kind/Name</c> or <c>Name</c>.</summary>
    public const string InvolvedObjectInvalid = nameof(InvolvedObjectInvalid);

    /// <summary>-Since is zero or negative.</summary>
    public const string SinceInvalid = nameof(SinceInvalid);

    /// <summary>-Type is none of All, Warning, Normal.</summary>
    public const string EventTypeInvalid = nameof(EventTypeInvalid);
}
