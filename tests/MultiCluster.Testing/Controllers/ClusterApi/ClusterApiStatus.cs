using System.Text;
using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer;

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

    public static JsonObject Cluster(JsonObject cluster, ClusterPhase phase, int controlPlaneReplicas, int workerReplicas, DateTimeOffset now)
    {
        var old = cluster["status"]?["conditions"] as JsonArray;
        var generation = Generation(cluster);
        var infrastructure = phase != ClusterPhase.Pending;
        var provisioned = phase == ClusterPhase.Provisioned;
        var status = new JsonObject { ["phase"] = phase.ToString(), ["observedGeneration"] = generation };
        if (IsV1Beta1(cluster))
        {
            status["infrastructureReady"] = infrastructure;
            status["controlPlaneReady"] = provisioned;
            status["conditions"] = new JsonArray(
                V1Beta1Condition(old, "Ready", provisioned, "WaitingForControlPlane", now),
                V1Beta1Condition(old, "ControlPlaneReady", provisioned, "WaitingForControlPlane", now),
                V1Beta1Condition(old, "InfrastructureReady", infrastructure, "WaitingForInfrastructure", now));
            return status;
        }
        status["initialization"] = new JsonObject { ["infrastructureProvisioned"] = infrastructure, ["controlPlaneInitialized"] = provisioned };
        status["controlPlane"] = Replicas(controlPlaneReplicas, provisioned ? controlPlaneReplicas : 0);
        status["workers"] = Replicas(workerReplicas, provisioned ? workerReplicas : 0);
        status["conditions"] = new JsonArray(
            Condition(old, "Available", provisioned, "Available", "NotAvailable", generation, now),
            Condition(old, "InfrastructureReady", infrastructure, "Ready", "NotReady", generation, now),
            Condition(old, "ControlPlaneInitialized", provisioned, "Initialized", "NotInitialized", generation, now),
            Condition(old, "ControlPlaneAvailable", provisioned, "Available", "NotAvailable", generation, now),
            Condition(old, "WorkersAvailable", provisioned, "Available", "NotAvailable", generation, now));
        return status;
    }

    /// <summary>KubeadmControlPlane or MachineDeployment status with <paramref name="ready"/> machines up.</summary>
    public static JsonObject Machines(JsonObject owner, int desired, int ready, string? version)
    {
        var status = new JsonObject
        {
            ["observedGeneration"] = Generation(owner),
            ["replicas"] = desired,
            ["readyReplicas"] = ready,
            ["availableReplicas"] = ready,
        };
        if (IsV1Beta1(owner))
        {
            status["updatedReplicas"] = ready;
            status["unavailableReplicas"] = desired - ready;
        }
        else
        {
            status["upToDateReplicas"] = ready;
        }
        if ((string?)owner["kind"] == "MachineDeployment")
            status["phase"] = ready == desired ? "Running" : "ScalingUp";
        else
        {
            if (version is not null) status["version"] = version;
            if (IsV1Beta1(owner))
            {
                status["initialized"] = ready > 0;
                status["ready"] = ready > 0;
            }
            else
            {
                status["initialization"] = new JsonObject { ["controlPlaneInitialized"] = ready > 0 };
            }
        }
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

    private static JsonObject Replicas(int desired, int ready) => new()
    {
        ["desiredReplicas"] = desired,
        ["replicas"] = desired,
        ["readyReplicas"] = ready,
        ["availableReplicas"] = ready,
        ["upToDateReplicas"] = ready,
    };

    // lastTransitionTime moves only when the status flips, as the real helpers do; rewriting it
    // on every pass would also make each reconcile a change that queues the next.
    private static string TransitionTime(JsonArray? old, string type, string status, DateTimeOffset now)
    {
        var previous = old?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);
        return previous is not null && (string?)previous["status"] == status && (string?)previous["lastTransitionTime"] is { } time
            ? time
            : ObjectStore.Timestamp(now);
    }

    private static JsonObject Condition(JsonArray? old, string type, bool isTrue, string trueReason, string falseReason, long generation, DateTimeOffset now)
    {
        var status = isTrue ? "True" : "False";
        return new JsonObject
        {
            ["type"] = type,
            ["status"] = status,
            ["observedGeneration"] = generation,
            ["lastTransitionTime"] = TransitionTime(old, type, status, now),
            ["reason"] = isTrue ? trueReason : falseReason,
        };
    }

    private static JsonObject V1Beta1Condition(JsonArray? old, string type, bool isTrue, string falseReason, DateTimeOffset now)
    {
        var status = isTrue ? "True" : "False";
        var condition = new JsonObject { ["type"] = type, ["status"] = status, ["lastTransitionTime"] = TransitionTime(old, type, status, now) };
        if (!isTrue)
        {
            condition["severity"] = "Info";
            condition["reason"] = falseReason;
        }
        return condition;
    }
}
