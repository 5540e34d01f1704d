namespace MultiCluster;

/// <summary>What an apply or delete did, or would do, to one object on one cluster.</summary>
public enum FleetResourceAction
{
    Created,
    Configured,
    Unchanged,
    Deleted,
    WouldCreate,
    WouldChange,
    WouldDelete,
    NotFound,
    Failed,
}
