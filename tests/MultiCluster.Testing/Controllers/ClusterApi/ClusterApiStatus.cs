using System.Text;
using System.Text.Json.Nodes;

namespace MultiCluster.Testing.Controllers.ClusterApi;

/// <summary>The Cluster provisioning phases Cluster API reports in status.phase.</summary>
public enum ClusterPhase { Pending, Provisioning, Provisioned }

/// <summary>
/// Builds the status Cluster API's controllers write, in the shape of each API version:
/// v1beta2 (metav1 conditions, status.initialization, status.controlPlane/workers counts) and
/// v1beta1 (Cluster API conditions with severity, infrastructureReady/controlPlaneReady flags).
/// </summary>
internal static class ClusterApiStatus
{
    public static bool IsV1Beta1(JsonObject obj) => ((string?)obj["apiVersion"] ?? "").EndsWith("/v1beta1", StringComparison.Ordinal);

    public static long Generation(JsonObject obj) => DeploymentStatus.Number(obj["metadata"]?["generation"]) ?? 1;

    /// <param name="controlPlane">The KubeadmControlPlane and its machines, or null when the Cluster has none.</param>
    /// <param name="workers">The Cluster's MachineDeployments and their machines.</param>
    public static JsonObject Cluster(JsonObject cluster, ClusterPhase phase, MachineOwner? controlPlane, IReadOnlyList<MachineOwner> workers, DateTimeOffset now)
    {
        var generation = Generation(cluster);
        var infrastructure = phase != ClusterPhase.Pending;
        var provisioned = phase == ClusterPhase.Provisioned;
        var status = new JsonObject { ["phase"] = phase.ToString(), ["observedGeneration"] = generation };
        if (IsV1Beta1(cluster))
        {
            status["infrastructureReady"] = infrastructure;
            status["controlPlaneReady"] = provisioned;
            status["conditions"] = CapiConditions.V1Beta1(cluster["status"]?["conditions"], now,
            [
                provisioned ? CapiCondition.True("ControlPlaneReady", "") : new CapiCondition("ControlPlaneReady", false, "WaitingForControlPlane"),
                infrastructure ? CapiCondition.True("InfrastructureReady", "") : new CapiCondition("InfrastructureReady", false, "WaitingForInfrastructure"),
            ]);
            return status;
        }
        var controlPlaneAvailable = provisioned && (controlPlane is null || controlPlane.IsAvailable);
        var notAvailableWorkers = workers.Where(w => !w.IsAvailable).ToList();
        var workersAvailable = provisioned && notAvailableWorkers.Count == 0;
        var owners = (controlPlane is null ? workers : workers.Prepend(controlPlane)).ToList();
        status["initialization"] = new JsonObject { ["infrastructureProvisioned"] = infrastructure, ["controlPlaneInitialized"] = provisioned };
        status["controlPlane"] = Counts(controlPlane is null ? [] : [controlPlane]);
        status["workers"] = Counts(workers);
        var infrastructureReady = infrastructure
            ? CapiCondition.True("InfrastructureReady", "Ready") : new CapiCondition("InfrastructureReady", false, "NotReady");
        var controlPlaneReady = controlPlaneAvailable
            ? CapiCondition.True("ControlPlaneAvailable", "Available") : new CapiCondition("ControlPlaneAvailable", false, "NotAvailable");
        var workersReady = !provisioned ? new CapiCondition("WorkersAvailable", false, "NotAvailable")
            : workers.Count == 0 ? CapiCondition.True("WorkersAvailable", "NoWorkers")
            : workersAvailable ? CapiCondition.True("WorkersAvailable", "Available")
            : new CapiCondition("WorkersAvailable", false, "NotAvailable", Lines(notAvailableWorkers, w => w.NotAvailableMessage));
        // Available sums up the three and names those that are not True, as Cluster API's summary does.
        var failing = new[] { infrastructureReady, controlPlaneReady, workersReady }.Where(c => c.IsTrue != true).ToList();
        status["conditions"] = CapiConditions.V1Beta2(cluster["status"]?["conditions"], generation, now,
        [
            failing.Count == 0
                ? CapiCondition.True("Available", "Available")
                : new CapiCondition("Available", false, "NotAvailable", string.Join("\n", failing.Select(f =>
                    f.Message.Length == 0 ? $"* {f.Type}: {f.Reason}" : $"* {f.Type}:\n" + string.Join("\n", f.Message.Split('\n').Select(line => "  " + line))))),
            infrastructureReady,
            provisioned ? CapiCondition.True("ControlPlaneInitialized", "Initialized") : new CapiCondition("ControlPlaneInitialized", false, "NotInitialized"),
            controlPlaneReady,
            workersReady,
            Aggregate("RollingOut", owners, o => o.Machines.NotUpToDate.Count > 0, o => $"Rolling out {o.Machines.NotUpToDate.Count} not up-to-date replicas"),
            Aggregate("ScalingUp", owners, o => o.Machines.Replicas < o.Machines.Desired, o => $"Scaling up from {o.Machines.Replicas} to {o.Machines.Desired} replicas"),
            Aggregate("ScalingDown", owners, o => o.Machines.Replicas > o.Machines.Desired, o => $"Scaling down from {o.Machines.Replicas} to {o.Machines.Desired} replicas"),
        ]);
        return status;
    }

    /// <summary>The kubeconfig Cluster API stores in the &lt;name&gt;-kubeconfig Secret: cluster &lt;name&gt;, context &lt;name&gt;-admin@&lt;name&gt;.</summary>
    public static string Kubeconfig(string clusterName, EmulatedCluster child)
    {
        var caData = Convert.ToBase64String(Encoding.ASCII.GetBytes(EmulatedCluster.CertificateAuthorityPem));
        var user = clusterName + "-admin";
        var context = $"{user}@{clusterName}";
        return $"""
            apiVersion: v1
            kind: Config
            preferences: {"{}"}
            current-context: "{context}"
            clusters:
            - name: "{clusterName}"
              cluster:
                server: {child.Server.ToString().TrimEnd('/')}
                certificate-authority-data: {caData}
            users:
            - name: "{user}"
              user:
                token: {child.AdminToken}
            contexts:
            - name: "{context}"
              context:
                cluster: "{clusterName}"
                user: "{user}"

            """;
    }

    // The Cluster's RollingOut, ScalingUp and ScalingDown: True while its control plane or any MachineDeployment is.
    private static CapiCondition Aggregate(string type, IReadOnlyList<MachineOwner> owners, Func<MachineOwner, bool> active, Func<MachineOwner, string> message)
    {
        var busy = owners.Where(active).ToList();
        return busy.Count == 0 ? new CapiCondition(type, false, "Not" + type) : new CapiCondition(type, true, type, Lines(busy, message));
    }

    private static string Lines(IEnumerable<MachineOwner> owners, Func<MachineOwner, string> message) =>
        string.Join("\n", owners.Select(o => $"* {o.Kind} {o.Name}: {message(o)}"));

    private static JsonObject Counts(IReadOnlyList<MachineOwner> owners) => new()
    {
        ["desiredReplicas"] = owners.Sum(o => o.Machines.Desired),
        ["replicas"] = owners.Sum(o => o.Machines.Replicas),
        ["readyReplicas"] = owners.Sum(o => o.Machines.Ready),
        ["availableReplicas"] = owners.Sum(o => o.Machines.Ready),
        ["upToDateReplicas"] = owners.Sum(o => o.Machines.UpToDate),
    };
}

/// <summary>A KubeadmControlPlane or MachineDeployment with its machines at one moment.</summary>
internal sealed record MachineOwner(JsonObject Object, MachineSummary Machines)
{
    public string Kind => (string?)Object["kind"] ?? "";
    public string Name => (string?)Object["metadata"]?["name"] ?? "";
    public bool IsAvailable => MachineOwnerStatus.IsAvailable(Object, Machines);
    public string NotAvailableMessage => MachineOwnerStatus.NotAvailableMessage(Object, Machines);
}
