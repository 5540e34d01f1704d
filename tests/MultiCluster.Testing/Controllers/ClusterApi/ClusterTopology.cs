using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.Controllers.ClusterApi;

namespace MultiCluster.Testing.Controllers;

// The topology controller's part: a Cluster with spec.topology gets the KubeadmControlPlane and
// MachineDeployments Cluster API would generate from it, which then roll like any others.
public sealed partial class ClusterApiController
{
    public const string TopologyOwnedLabel = "topology.cluster.x-k8s.io/owned";
    public const string TopologyDeploymentLabel = "topology.cluster.x-k8s.io/deployment-name";

    /// <summary>
    /// Creates or updates the objects a topology Cluster asks for: its replicas reach them at once;
    /// a new spec.topology.version reaches the control plane at once and the MachineDeployments
    /// only once the control plane has rolled (its status.version is the new one), as Cluster
    /// API upgrades. Returns true when it wrote the Cluster itself (spec.controlPlaneRef), which
    /// queues it again.
    /// </summary>
    private bool ReconcileTopology(ObjectKey key, ResourceType clusterType, JsonObject cluster)
    {
        if (cluster["spec"]?["topology"] is not JsonObject topology || (string?)topology["version"] is not { } version
            || Cluster.Registry.Find(ControlPlaneGroup, "kubeadmcontrolplanes") is not { } controlPlaneType
            || Cluster.Registry.Find(ClusterGroup, "machinedeployments") is not { } deploymentType)
            return false;

        var controlPlaneReplicas = (int)(DeploymentStatus.Number(topology["controlPlane"]?["replicas"]) ?? 1);
        var controlPlane = Owned(controlPlaneType, key).FirstOrDefault();
        var controlPlaneRolled = (string?)controlPlane?["status"]?["version"] == version;
        if (controlPlane is null)
            controlPlane = Cluster.Store.Create(controlPlaneType, NewOwned(controlPlaneType, cluster, key.Name + "-", [],
                new JsonObject { ["replicas"] = controlPlaneReplicas, ["version"] = version }));
        else
            SetSpec(controlPlaneType, controlPlane, spec =>
            {
                spec["replicas"] = controlPlaneReplicas;
                spec["version"] = version;
            });

        var wanted = (topology["workers"]?["machineDeployments"] as JsonArray)?.OfType<JsonObject>()
            .Where(md => (string?)md["name"] is not null).ToDictionary(md => (string)md["name"]!, StringComparer.Ordinal) ?? [];
        foreach (var existing in Owned(deploymentType, key))
        {
            var name = (string?)existing["metadata"]?["labels"]?[TopologyDeploymentLabel] ?? "";
            if (!wanted.Remove(name, out var md))
            {
                Cluster.Store.Delete(deploymentType, key.Namespace, (string)existing["metadata"]!["name"]!);
                continue;
            }
            SetSpec(deploymentType, existing, spec =>
            {
                spec["replicas"] = (int)(DeploymentStatus.Number(md["replicas"]) ?? 1);
                if (controlPlaneRolled) spec["template"]!["spec"]!["version"] = version;
            });
        }
        foreach (var (name, md) in wanted)
        {
            var labels = new JsonObject { [ClusterNameLabel] = key.Name, [TopologyDeploymentLabel] = name };
            Cluster.Store.Create(deploymentType, NewOwned(deploymentType, cluster, $"{key.Name}-{name}-", labels, new JsonObject
            {
                ["clusterName"] = key.Name,
                ["replicas"] = (int)(DeploymentStatus.Number(md["replicas"]) ?? 1),
                ["selector"] = new JsonObject { ["matchLabels"] = labels.DeepClone() },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = labels.DeepClone() },
                    ["spec"] = new JsonObject { ["clusterName"] = key.Name, ["version"] = version },
                },
            }));
        }

        // The Cluster points at its generated control plane, in the shape of its own version.
        var controlPlaneName = (string)controlPlane["metadata"]!["name"]!;
        if ((string?)cluster["spec"]?["controlPlaneRef"]?["name"] == controlPlaneName)
            return false;
        cluster["spec"]!["controlPlaneRef"] = ClusterApiStatus.IsV1Beta1(cluster)
            ? new JsonObject { ["apiVersion"] = (string?)controlPlane["apiVersion"], ["kind"] = MachineOwnerStatus.ControlPlaneKind, ["name"] = controlPlaneName, ["namespace"] = key.Namespace }
            : new JsonObject { ["apiGroup"] = ControlPlaneGroup, ["kind"] = MachineOwnerStatus.ControlPlaneKind, ["name"] = controlPlaneName };
        Cluster.Store.Update(clusterType, cluster);
        return true;
    }

    private IEnumerable<JsonObject> Owned(ResourceType type, ObjectKey clusterKey) =>
        Cluster.Store.List(type, clusterKey.Namespace).Items.Where(o =>
            (string?)o["metadata"]?["labels"]?[ClusterNameLabel] == clusterKey.Name
            && o["metadata"]?["labels"]?.AsObject().ContainsKey(TopologyOwnedLabel) == true
            && o["metadata"]?["deletionTimestamp"] is null);

    // A generated object: owned by the Cluster (so it goes with it) and labelled as topology-owned.
    private static JsonObject NewOwned(ResourceType type, JsonObject cluster, string generateName, JsonObject labels, JsonObject spec)
    {
        labels[ClusterNameLabel] = (string)cluster["metadata"]!["name"]!;
        labels[TopologyOwnedLabel] = "";
        return new JsonObject
        {
            ["apiVersion"] = type.ApiVersion(type.StorageVersion),
            ["kind"] = type.Kind,
            ["metadata"] = new JsonObject
            {
                ["generateName"] = generateName,
                ["namespace"] = (string?)cluster["metadata"]!["namespace"],
                ["labels"] = labels,
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = (string?)cluster["apiVersion"],
                    ["kind"] = "Cluster",
                    ["name"] = (string?)cluster["metadata"]!["name"],
                    ["uid"] = (string?)cluster["metadata"]!["uid"],
                }),
            },
            ["spec"] = spec,
        };
    }

    private void SetSpec(ResourceType type, JsonObject obj, Action<JsonObject> change)
    {
        var spec = (JsonObject)obj["spec"]!.DeepClone();
        change(spec);
        if (JsonNode.DeepEquals(spec, obj["spec"]))
            return;
        obj["spec"] = spec;
        Cluster.Store.Update(type, obj);
    }
}
