namespace MultiCluster.Engine.Inventory.Import;

/// <summary>Stable error ids of Import-Fleet -From and Export-Fleet.</summary>
public static class FleetImportErrorIds
{
    /// <summary>An object of the source cannot be read as a cluster (a KubeFedCluster whose secret is missing, an Argo CD secret without server).</summary>
    public const string FleetSourceInvalid = nameof(FleetSourceInvalid);

    /// <summary>The source cluster does not run what -From names (no KubeFedCluster kind, no Karmada Cluster kind).</summary>
    public const string FleetSourceNotInstalled = nameof(FleetSourceNotInstalled);

    /// <summary>The source holds no cluster that can be imported.</summary>
    public const string FleetSourceEmpty = nameof(FleetSourceEmpty);

    /// <summary>Two objects, or the source and the current fleet (-Merge), yield one cluster name.</summary>
    public const string FleetClusterNameConflict = nameof(FleetClusterNameConflict);

    /// <summary>The file to write exists and -Force was not given.</summary>
    public const string FleetFileExists = nameof(FleetFileExists);
}
