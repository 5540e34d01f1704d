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
    /// <summary>Deleted and created again, because the change touched a field the server never changes in place (a binding's roleRef).</summary>
    Replaced,
    /// <summary>What -WhatIf reports for an object that would be <see cref="Replaced"/>.</summary>
    WouldReplace,
}
