using System.Text.Json.Nodes;
using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Lifecycle;

/// <summary>
/// One group of machines (a KubeadmControlPlane or a MachineDeployment): how many its spec wants
/// and what its status reports. Settled when the controller has seen the latest spec and the
/// machines match it: exactly the wanted number, all ready and up to date.
/// </summary>
public sealed record MachineGroupState(string Kind, string Name, int Wanted, int Current, int Ready, int UpToDate, bool Observed)
{
    public bool IsSettled => Observed && Current == Wanted && Ready >= Wanted && UpToDate >= Wanted;

    public override string ToString() => $"{Kind} {Name}: {Ready}/{Wanted} ready";

    /// <summary>Reads spec.replicas (1 when unset, as Cluster API defaults it) and the status counts of either API version.</summary>
    public static MachineGroupState Read(KubeObject owner)
    {
        var spec = owner.Json["spec"];
        var status = owner.Json["status"];
        var wanted = Number(spec?["replicas"]) ?? 1;
        var generation = Number(owner.Json["metadata"]?["generation"]) ?? 0;
        var observed = status is not null && (Number(status["observedGeneration"]) ?? 0) >= generation;
        var current = Number(status?["replicas"]) ?? 0;
        var ready = Number(status?["readyReplicas"]) ?? 0;
        // v1beta2 counts machines at the spec as upToDateReplicas, v1beta1 as updatedReplicas.
        var upToDate = Number(status?["upToDateReplicas"]) ?? Number(status?["updatedReplicas"]) ?? ready;
        return new MachineGroupState(owner.Kind, owner.Name, wanted, current, ready, upToDate, observed);
    }

    private static int? Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var number) ? (int)number : null;
}

/// <summary>
/// Where a Cluster API cluster stands, read from the management cluster: the Cluster's phase,
/// flags and failing condition, and its control plane and worker machine groups. A topology
/// cluster whose machine groups are not created yet is judged on the Cluster's own counts.
/// </summary>
public sealed record ClusterLifecycleState(
    string Cluster,
    string Namespace,
    ClusterProvisioningStatus Status,
    MachineGroupState? ControlPlane,
    IReadOnlyList<MachineGroupState> Workers,
    int? TopologyWorkers,
    string? KubernetesVersion)
{
    public string Phase => Status.Phase;

    public bool IsFailed => Status.IsFailed;

    /// <summary>The worker machines the spec asks for (MachineDeployments, else the topology).</summary>
    public int WantedWorkers => Workers.Count > 0 ? Workers.Sum(w => w.Wanted) : TopologyWorkers ?? Status.WorkerDesiredReplicas ?? 0;

    /// <summary>Provisioned, control plane initialized and every machine group at its wanted size, ready and up to date.</summary>
    public bool IsReady =>
        Status.Phase == "Provisioned" && Status.InfrastructureReady && Status.ControlPlaneReady
        && (ControlPlane?.IsSettled ?? Status.IsReady(WantedWorkers))
        && (Workers.Count > 0 ? Workers.All(w => w.IsSettled) : Status.IsReady(WantedWorkers));

    /// <summary>One line for progress and errors: phase, machine counts and, while not ready, the failing condition.</summary>
    public string Summary
    {
        get
        {
            var controlPlane = ControlPlane is { } cp
                ? $"control plane {cp.Ready}/{cp.Wanted} ready"
                : $"control plane {Status.ControlPlaneReadyReplicas ?? 0}/{Status.ControlPlaneDesiredReplicas?.ToString() ?? "?"} ready";
            var workersReady = Workers.Count > 0 ? Workers.Sum(w => w.Ready) : Status.WorkerReadyReplicas ?? 0;
            var text = $"phase {Phase}, {controlPlane}, workers {workersReady}/{WantedWorkers} ready";
            return !IsReady && Status.FailingCondition is { } failing ? $"{text}; failing condition {failing}" : text;
        }
    }

    /// <summary>Rough share of the way to ready, for progress bars.</summary>
    public int PercentComplete
    {
        get
        {
            if (IsReady) return 100;
            var steps = Phase switch { "Provisioning" => 25, "Provisioned" => 50, _ => 0 };
            var wanted = (ControlPlane?.Wanted ?? 0) + WantedWorkers;
            var ready = (ControlPlane?.Ready ?? 0) + (Workers.Count > 0 ? Workers.Sum(w => w.Ready) : Status.WorkerReadyReplicas ?? 0);
            return wanted == 0 ? steps : steps + 49 * Math.Min(ready, wanted) / wanted;
        }
    }

    /// <summary>
    /// <paramref name="known"/> (the fleet's member, or a new workload member with Cluster API's
    /// context name) updated with this state's phase and version and where its Cluster lives.
    /// </summary>
    public FleetCluster ToFleetCluster(FleetCluster? known, string managementCluster) =>
        (known ?? new FleetCluster { Name = Cluster, Context = ClusterKubeconfigReader.ContextName(Cluster), Role = FleetClusterRole.Workload }) with
        {
            Phase = Phase,
            ManagementCluster = managementCluster,
            ClusterApiNamespace = Namespace,
            KubernetesVersion = KubernetesVersion ?? known?.KubernetesVersion,
        };
}
