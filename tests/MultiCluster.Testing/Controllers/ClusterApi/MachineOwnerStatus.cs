using System.Text.Json.Nodes;

namespace MultiCluster.Testing.Controllers.ClusterApi;

/// <summary>
/// KubeadmControlPlane and MachineDeployment status from their machines, as Cluster API v1.14
/// writes it: a v1beta2 object has the v1beta2 counts and conditions at the top and the old ones
/// under status.deprecated.v1beta1; a v1beta1 object (older releases, v1beta1 storage) has the
/// v1beta1 ones at the top and the new ones under status.v1beta2.
/// </summary>
internal static class MachineOwnerStatus
{
    public const string ControlPlaneKind = "KubeadmControlPlane";

    public static bool IsControlPlane(JsonObject owner) => (string?)owner["kind"] == ControlPlaneKind;

    /// <summary>
    /// Whether the owner counts as Available: a control plane once initialized; a
    /// MachineDeployment with at least spec.replicas - maxUnavailable available machines.
    /// </summary>
    public static bool IsAvailable(JsonObject owner, MachineSummary machines) =>
        IsControlPlane(owner) ? machines.Initialized : machines.Ready >= MinimumAvailable(owner, machines.Desired);

    /// <summary>The line the Cluster's aggregated conditions show for an owner that is not available.</summary>
    public static string NotAvailableMessage(JsonObject owner, MachineSummary machines) =>
        IsControlPlane(owner) ? "Control plane not yet initialized" : DeploymentNotAvailableMessage(owner, machines);

    public static JsonObject Build(JsonObject owner, MachineSummary machines, string selector, DateTimeOffset now)
    {
        var generation = ClusterApiStatus.Generation(owner);
        var v1beta1Owner = ClusterApiStatus.IsV1Beta1(owner);
        var oldStatus = owner["status"];
        var oldV1Beta2Conditions = v1beta1Owner ? oldStatus?["v1beta2"]?["conditions"] : oldStatus?["conditions"];
        var oldV1Beta1Conditions = v1beta1Owner ? oldStatus?["conditions"] : oldStatus?["deprecated"]?["v1beta1"]?["conditions"];
        var v1beta2Conditions = CapiConditions.V1Beta2(oldV1Beta2Conditions, generation, now, V1Beta2Conditions(owner, machines));
        // A MachineDeployment's Ready is its Available alone; a control plane's sums up all of them.
        var v1beta1Conditions = IsControlPlane(owner)
            ? CapiConditions.V1Beta1(oldV1Beta1Conditions, now, V1Beta1Conditions(owner, machines))
            : CapiConditions.V1Beta1(oldV1Beta1Conditions, now, V1Beta1Conditions(owner, machines), "Available");
        var unavailable = Math.Max(0, machines.Desired - machines.Ready);
        var isControlPlane = IsControlPlane(owner);

        var status = new JsonObject { ["observedGeneration"] = generation, ["selector"] = selector, ["replicas"] = machines.Replicas };
        if (v1beta1Owner)
        {
            status["readyReplicas"] = machines.Ready;
            status["updatedReplicas"] = machines.UpToDate;
            status["unavailableReplicas"] = unavailable;
            if (!isControlPlane) status["availableReplicas"] = machines.Ready;
            status["conditions"] = v1beta1Conditions;
            status["v1beta2"] = new JsonObject
            {
                ["readyReplicas"] = machines.Ready,
                ["availableReplicas"] = machines.Ready,
                ["upToDateReplicas"] = machines.UpToDate,
                ["conditions"] = v1beta2Conditions,
            };
        }
        else
        {
            status["readyReplicas"] = machines.Ready;
            status["availableReplicas"] = machines.Ready;
            status["upToDateReplicas"] = machines.UpToDate;
            status["conditions"] = v1beta2Conditions;
            var deprecated = new JsonObject
            {
                ["readyReplicas"] = machines.Ready,
                ["updatedReplicas"] = machines.UpToDate,
                ["unavailableReplicas"] = unavailable,
                ["conditions"] = v1beta1Conditions,
            };
            if (!isControlPlane) deprecated["availableReplicas"] = machines.Ready;
            status["deprecated"] = new JsonObject { ["v1beta1"] = deprecated };
        }
        if (machines.Versions.Count > 0)
            status["versions"] = new JsonArray(machines.Versions
                .Select(v => (JsonNode)new JsonObject { ["version"] = v.Version, ["replicas"] = v.Replicas }).ToArray());

        if (isControlPlane)
        {
            if (machines.MinimumVersion is { } version) status["version"] = version;
            if (v1beta1Owner)
            {
                status["initialized"] = machines.Initialized;
                status["ready"] = machines.Initialized;
            }
            else
            {
                status["initialization"] = new JsonObject { ["controlPlaneInitialized"] = machines.Initialized };
            }
        }
        else
        {
            status["phase"] = DeploymentPhase(machines);
        }
        return status;
    }

    // Cluster API's machinedeployment phase: by replicas first, Running once every wanted machine is ready.
    private static string DeploymentPhase(MachineSummary machines) =>
        machines.Replicas < machines.Desired ? "ScalingUp"
        : machines.Replicas > machines.Desired ? "ScalingDown"
        : machines.Ready == machines.Desired ? "Running"
        : "ScalingUp";

    private static IEnumerable<CapiCondition> V1Beta2Conditions(JsonObject owner, MachineSummary machines)
    {
        var isControlPlane = IsControlPlane(owner);
        yield return IsAvailable(owner, machines)
            ? CapiCondition.True("Available", "Available")
            : new CapiCondition("Available", false, "NotAvailable", NotAvailableMessage(owner, machines));
        if (isControlPlane)
        {
            yield return CapiCondition.True("CertificatesAvailable", "Available");
            yield return machines.Initialized
                ? CapiCondition.True("Initialized", "Initialized")
                : new CapiCondition("Initialized", false, "NotInitialized", "Control plane not yet initialized");
        }
        yield return machines.Replicas == 0 ? CapiCondition.True("MachinesReady", "NoReplicas")
            : machines.NotReady.Count == 0 ? CapiCondition.True("MachinesReady", "Ready")
            : new CapiCondition("MachinesReady", false, "NotReady", MachineList(machines.NotReady, "not ready"));
        yield return machines.Replicas == 0 ? CapiCondition.True("MachinesUpToDate", "NoReplicas")
            : machines.NotUpToDate.Count == 0 ? CapiCondition.True("MachinesUpToDate", "UpToDate")
            : new CapiCondition("MachinesUpToDate", false, "NotUpToDate", MachineList(machines.NotUpToDate, "not up-to-date"));
        yield return machines.NotUpToDate.Count == 0
            ? new CapiCondition("RollingOut", false, "NotRollingOut")
            : new CapiCondition("RollingOut", true, "RollingOut", RollingOutMessage(machines));
        yield return machines.Replicas < machines.Desired
            ? new CapiCondition("ScalingUp", true, "ScalingUp", $"Scaling up from {machines.Replicas} to {machines.Desired} replicas")
            : new CapiCondition("ScalingUp", false, "NotScalingUp");
        yield return machines.Replicas > machines.Desired
            ? new CapiCondition("ScalingDown", true, "ScalingDown", $"Scaling down from {machines.Replicas} to {machines.Desired} replicas")
            : new CapiCondition("ScalingDown", false, "NotScalingDown");
        yield return new CapiCondition("Remediating", false, "NotRemediating");
        yield return new CapiCondition("Deleting", false, "NotDeleting");
        yield return new CapiCondition("Paused", false, "NotPaused");
    }

    private static List<CapiCondition> V1Beta1Conditions(JsonObject owner, MachineSummary machines)
    {
        // Machines still provisioning wait for their infrastructure (Info, as the Machine reports it).
        var machinesReady = machines.NotReady.Count == 0
            ? CapiCondition.True("MachinesReady", "")
            : new CapiCondition("MachinesReady", false, "WaitingForInfrastructure", MachineList(machines.NotReady, "not ready"));
        if (!IsControlPlane(owner))
        {
            var minimum = MinimumAvailable(owner, machines.Desired);
            return
            [
                machines.Ready >= minimum
                    ? CapiCondition.True("Available", "")
                    : new CapiCondition("Available", false, "WaitingForAvailableMachines",
                        $"Minimum availability requires {minimum} replicas, current {machines.Ready} available", "Warning"),
                machinesReady with { Type = "MachineSetReady" },
            ];
        }
        var resized = machines.Replicas < machines.Desired
            ? new CapiCondition("Resized", false, "ScalingUp", $"Scaling up control plane to {machines.Desired} replicas (actual {machines.Replicas})", "Warning")
            : machines.Replicas > machines.Desired
                ? new CapiCondition("Resized", false, "ScalingDown", $"Scaling down control plane to {machines.Desired} replicas (actual {machines.Replicas})", "Warning")
                : CapiCondition.True("Resized", "");
        return
        [
            machines.Initialized ? CapiCondition.True("Available", "") : new CapiCondition("Available", false, "WaitingForKubeadmInit"),
            CapiCondition.True("CertificatesAvailable", ""),
            CapiCondition.True("MachinesCreated", ""),
            machinesReady,
            machines.NotUpToDate.Count == 0
                ? CapiCondition.True("MachinesSpecUpToDate", "")
                : new CapiCondition("MachinesSpecUpToDate", false, "RollingUpdateInProgress",
                    $"Rolling {machines.NotUpToDate.Count} replicas with outdated spec ({machines.UpToDate} replicas up to date)", "Warning"),
            resized,
        ];
    }

    private static string RollingOutMessage(MachineSummary machines)
    {
        var message = $"Rolling out {machines.NotUpToDate.Count} not up-to-date replicas";
        var versions = machines.OutdatedVersions.Where(v => v != machines.Target.Version).ToList();
        return versions.Count == 0
            ? message + "\n* InfrastructureMachine is not up-to-date"
            : message + $"\n* Version {string.Join(", ", versions)}, {machines.Target.Version} required";
    }

    private static string MachineList(IReadOnlyList<string> names, string what) =>
        names.Count == 1 ? $"* Machine {names[0]} is {what}" : $"* Machines {string.Join(", ", names)} are {what}";

    private static string DeploymentNotAvailableMessage(JsonObject owner, MachineSummary machines) =>
        $"{machines.Ready} available replicas, at least {MinimumAvailable(owner, machines.Desired)} required " +
        $"(spec.strategy.rollout.maxUnavailable is {MaxUnavailable(owner, machines.Desired)}, spec.replicas is {machines.Desired})";

    private static int MinimumAvailable(JsonObject owner, int desired) => Math.Max(0, desired - MaxUnavailable(owner, desired));

    // spec.rollout.strategy.rollingUpdate (v1beta2) or spec.strategy.rollingUpdate (v1beta1);
    // Cluster API defaults maxUnavailable to 0 and rounds a percentage down.
    private static int MaxUnavailable(JsonObject owner, int desired)
    {
        var rollingUpdate = owner["spec"]?["rollout"]?["strategy"]?["rollingUpdate"] ?? owner["spec"]?["strategy"]?["rollingUpdate"];
        return rollingUpdate?["maxUnavailable"] switch
        {
            JsonValue value when value.TryGetValue<int>(out var count) => count,
            JsonValue value when value.TryGetValue<string>(out var text) && text.EndsWith('%')
                && int.TryParse(text.TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture, out var percent) => desired * percent / 100,
            _ => 0,
        };
    }
}
