namespace MultiCluster;

/// <summary>How an override's JSON-patch operations treat a path the template lacks.</summary>
public enum FleetOverrideMode
{
    /// <summary>RFC 6902: replace and remove need the path to exist; add creates only the last member.</summary>
    Strict,

    /// <summary>
    /// As KubeFed applied overrides (evanphx/json-patch v4): replace of an absent object member adds
    /// it. A missing parent, an array index out of range, or removing an absent member still fails.
    /// </summary>
    KubeFed,
}
