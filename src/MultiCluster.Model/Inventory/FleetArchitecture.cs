namespace MultiCluster;

/// <summary>
/// One free-text choice of the reference-architecture layout (<c>mesh: Cilium Cluster Mesh</c>):
/// the text as written, and the product it names when the module recognises one.
/// </summary>
public sealed class FleetArchitectureChoice
{
    /// <summary>The value as the fleet file writes it.</summary>
    public required string Text { get; init; }

    /// <summary>The product recognised in <see cref="Text"/> (Cilium, Istio, Submariner, Dex, Velero, ...); null when none is.</summary>
    public string? Provider { get; init; }

    public override string ToString() => Text;
}

/// <summary>The <c>networking</c> section: the service mesh, how clusters reach each other, ingress and egress.</summary>
public sealed class FleetNetworkingArchitecture
{
    public FleetArchitectureChoice? Mesh { get; init; }

    /// <summary><c>cross_cluster</c>: how pods of one cluster reach another (Submariner, Cilium Cluster Mesh).</summary>
    public FleetArchitectureChoice? CrossCluster { get; init; }

    public FleetArchitectureChoice? Ingress { get; init; }
    public FleetArchitectureChoice? Egress { get; init; }

    public override string ToString() => Describe(("mesh", Mesh), ("cross_cluster", CrossCluster), ("ingress", Ingress), ("egress", Egress));

    internal static string Describe(params (string Key, FleetArchitectureChoice? Choice)[] choices) =>
        string.Join("; ", choices.Where(c => c.Choice is not null).Select(c => $"{c.Key}: {c.Choice}"));
}

/// <summary>The <c>data</c> section: replication (active-active, active-passive), backup and database.</summary>
public sealed class FleetDataArchitecture
{
    public FleetArchitectureChoice? Replication { get; init; }
    public FleetArchitectureChoice? Backup { get; init; }
    public FleetArchitectureChoice? Database { get; init; }

    /// <summary>True when <see cref="Replication"/> says active-active (every region writes).</summary>
    public bool ActiveActive => Replication?.Provider == "ActiveActive";

    public override string ToString() => FleetNetworkingArchitecture.Describe(("replication", Replication), ("backup", Backup), ("database", Database));
}

/// <summary>The <c>identity</c> section: the identity federation (Dex with OIDC) and how RBAC is kept in sync.</summary>
public sealed class FleetIdentityArchitecture
{
    public FleetArchitectureChoice? Federation { get; init; }

    /// <summary><c>rbac_sync</c>: what keeps RBAC the same on every cluster (a KubeFed RBAC controller, Set-FleetRbac).</summary>
    public FleetArchitectureChoice? RbacSync { get; init; }

    public override string ToString() => FleetNetworkingArchitecture.Describe(("federation", Federation), ("rbac_sync", RbacSync));
}

/// <summary>The <c>management</c> section: the management cluster, what it is for, its size and the tools it runs.</summary>
public sealed class FleetManagementArchitecture
{
    public required string Cluster { get; init; }
    public string? Region { get; init; }
    public string? Purpose { get; init; }
    public string? Size { get; init; }
    public IReadOnlyList<string> Tools { get; init; } = [];

    public override string ToString() => Tools.Count == 0 ? Cluster : $"{Cluster} ({string.Join(", ", Tools)})";
}

/// <summary>
/// What a reference-architecture fleet file says beside its clusters; Get-Fleet shows it, and
/// Test-FleetArchitecture, Join-FleetMesh and the OIDC cmdlets read it.
/// </summary>
public sealed class FleetArchitecture
{
    public FleetNetworkingArchitecture Networking { get; init; } = new();
    public FleetDataArchitecture Data { get; init; } = new();
    public FleetIdentityArchitecture Identity { get; init; } = new();
    public FleetManagementArchitecture? Management { get; init; }
}
