namespace MultiCluster.Engine.Federation;

/// <summary>
/// Stable error ids of workload federation, beside <see cref="Errors.FleetErrorIds"/> and
/// <see cref="Inventory.PlacementErrorIds"/> (which keep the ids every capability shares).
/// </summary>
public static class FederationErrorIds
{
    /// <summary>An override is empty, malformed, or names a path the template does not have.</summary>
    public const string OverrideInvalid = nameof(OverrideInvalid);

    /// <summary>The same workload (kind, namespace, name) is given twice.</summary>
    public const string WorkloadDuplicate = nameof(WorkloadDuplicate);

    /// <summary>Rollout waves are missing, select nothing, or leave placed clusters out.</summary>
    public const string WaveInvalid = nameof(WaveInvalid);

    /// <summary>A rollout wave could not be published, did not become ready in time, or was not ready after its bake time.</summary>
    public const string WaveFailed = nameof(WaveFailed);

    /// <summary>A workload is still not ready on a cluster when a wait ends.</summary>
    public const string WorkloadNotReady = nameof(WorkloadNotReady);
}
