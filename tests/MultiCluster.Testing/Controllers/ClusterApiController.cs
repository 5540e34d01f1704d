using System.Text;
using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.Controllers.ClusterApi;

namespace MultiCluster.Testing.Controllers;

/// <summary>
/// Stands in for Cluster API's core and kubeadm control plane controllers (v1beta2 and v1beta1).
/// A Cluster goes Pending, then Provisioning (infrastructure ready) half of
/// <see cref="ProvisionDelay"/> later, then Provisioned: a new emulator instance is started whose
/// /version is the KubeadmControlPlane's spec.version (or spec.topology.version), with one Node
/// per machine (control plane replicas plus the replicas of the Cluster's MachineDeployments),
/// and the &lt;name&gt;-kubeconfig Secret is written for it. After that, scaling and version
/// changes show at once in the KubeadmControlPlane and MachineDeployment status and in the
/// child's Nodes and /version. Deleting the Cluster (or stopping this instance) stops the child
/// and removes the Secret. Simulated: no Machines, MachineSets, infrastructure objects or
/// bootstrap data; rollouts do not go one machine at a time.
/// </summary>
public sealed class ClusterApiController(TimeSpan provisionDelay) : StoreController
{
    public const string ControllerName = "cluster-api";
    public const string ClusterNameLabel = "cluster.x-k8s.io/cluster-name";
    public const string ClusterGroup = "cluster.x-k8s.io";
    public const string ControlPlaneGroup = "controlplane.cluster.x-k8s.io";

    private readonly Dictionary<ObjectKey, DateTimeOffset> _firstSeen = [];
    private readonly Dictionary<ObjectKey, EmulatedCluster> _children = [];
    private readonly object _childrenGate = new();

    public ClusterApiController() : this(TimeSpan.FromSeconds(10))
    {
    }

    /// <summary>How long after a Cluster appears it is Provisioned, on the instance's clock.</summary>
    public TimeSpan ProvisionDelay { get; } = provisionDelay;

    public override string Name => ControllerName;

    protected override IReadOnlyList<(string Group, string Resource)> Watches { get; } =
        [(ClusterGroup, "clusters"), (ClusterGroup, "machinedeployments"), (ControlPlaneGroup, "kubeadmcontrolplanes")];

    /// <summary>The instance started for a Provisioned Cluster, or null.</summary>
    public EmulatedCluster? ChildOf(string ns, string name)
    {
        lock (_childrenGate)
            return _children.GetValueOrDefault(new ObjectKey(ClusterGroup, "clusters", ns, name));
    }

    protected override void Reconcile(ObjectKey key)
    {
        if (key.Resource == "clusters")
        {
            ReconcileCluster(key);
            return;
        }
        // A control plane or worker change: the owning Cluster decides what it means.
        var type = Cluster.Registry.Find(key.Group, key.Resource);
        var owner = type is null ? null : Cluster.Store.Get(type, key.Namespace, key.Name);
        var clusterName = (string?)owner?["metadata"]?["labels"]?[ClusterNameLabel] ?? (string?)owner?["spec"]?["clusterName"]
            ?? FindClusterByControlPlane(key.Namespace, key.Name);
        if (clusterName is not null)
            ReconcileCluster(new ObjectKey(ClusterGroup, "clusters", key.Namespace, clusterName));
    }

    protected override void OnStop()
    {
        List<EmulatedCluster> children;
        lock (_childrenGate)
        {
            children = _children.Values.ToList();
            _children.Clear();
        }
        foreach (var child in children)
            child.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private string? FindClusterByControlPlane(string ns, string controlPlaneName) =>
        Cluster.Registry.Find(ClusterGroup, "clusters") is { } type
            ? Cluster.Store.List(type, ns).Items
                .FirstOrDefault(c => (string?)c["spec"]?["controlPlaneRef"]?["name"] == controlPlaneName)?["metadata"]?["name"]?.GetValue<string>()
            : null;

    private void ReconcileCluster(ObjectKey key)
    {
        var type = Cluster.Registry.Find(ClusterGroup, "clusters")!;
        var cluster = Cluster.Store.Get(type, key.Namespace, key.Name);
        if (cluster is null || cluster["metadata"]?["deletionTimestamp"] is not null)
        {
            Teardown(key);
            return;
        }
        var now = Cluster.Clock.UtcNow;
        if (!_firstSeen.TryGetValue(key, out var firstSeen))
            _firstSeen[key] = firstSeen = now;
        var infrastructureDue = firstSeen + ProvisionDelay / 2;
        var provisionedDue = firstSeen + ProvisionDelay;
        var phase = now >= provisionedDue ? ClusterPhase.Provisioned
            : now >= infrastructureDue ? ClusterPhase.Provisioning
            : ClusterPhase.Pending;

        var controlPlane = ControlPlaneOf(cluster, key.Namespace);
        var workers = MachineDeploymentsOf(key);
        var controlPlaneReplicas = Replicas(controlPlane);
        var version = (string?)controlPlane?.Object["spec"]?["version"] ?? (string?)cluster["spec"]?["topology"]?["version"];
        var workerCount = workers.Sum(w => Replicas(w));

        if (phase == ClusterPhase.Provisioned)
        {
            var child = EnsureChild(key, version);
            SyncNodes(child, key.Name, controlPlaneReplicas, workers, version);
            EnsureKubeconfigSecret(cluster, child);
            if (controlPlane is { } cp)
                WriteStatus(cp.Type, cp.Object, ClusterApiStatus.Machines(cp.Object, controlPlaneReplicas, controlPlaneReplicas, version));
            foreach (var worker in workers)
                WriteStatus(worker.Type, worker.Object, ClusterApiStatus.Machines(worker.Object, Replicas(worker), Replicas(worker), version));
        }
        else
        {
            RequeueAt(key, phase == ClusterPhase.Pending ? infrastructureDue : provisionedDue);
        }
        WriteStatus(type, cluster, ClusterApiStatus.Cluster(cluster, phase, controlPlaneReplicas, workerCount, now));
    }

    private void WriteStatus(ResourceType type, JsonObject obj, JsonObject status)
    {
        if (JsonNode.DeepEquals(obj["status"], status))
            return;
        obj["status"] = status;
        Cluster.Store.Update(type, obj);
    }

    private static int Replicas((ResourceType Type, JsonObject Object)? owner) => owner is null ? 0 : (int)(DeploymentStatus.Number(owner.Value.Object["spec"]?["replicas"]) ?? 1);

    private (ResourceType Type, JsonObject Object)? ControlPlaneOf(JsonObject cluster, string ns)
    {
        var reference = cluster["spec"]?["controlPlaneRef"];
        if ((string?)reference?["kind"] != "KubeadmControlPlane" || (string?)reference["name"] is not { } name)
            return null;
        var type = Cluster.Registry.Find(ControlPlaneGroup, "kubeadmcontrolplanes");
        return type is not null && Cluster.Store.Get(type, ns, name) is { } found ? (type, found) : null;
    }

    private List<(ResourceType Type, JsonObject Object)> MachineDeploymentsOf(ObjectKey clusterKey)
    {
        if (Cluster.Registry.Find(ClusterGroup, "machinedeployments") is not { } type)
            return [];
        return Cluster.Store.List(type, clusterKey.Namespace).Items
            .Where(md => (string?)md["spec"]?["clusterName"] == clusterKey.Name && md["metadata"]?["deletionTimestamp"] is null)
            .Select(md => (type, md))
            .ToList();
    }

    private EmulatedCluster EnsureChild(ObjectKey key, string? version)
    {
        lock (_childrenGate)
            if (_children.TryGetValue(key, out var existing))
            {
                // The control plane rolled to the new version: the API server reports it.
                if (version is not null && existing.KubernetesVersion != version)
                    existing.KubernetesVersion = version;
                return existing;
            }
        var options = new EmulatedClusterOptions { Name = key.Name };
        if (version is not null)
            options = new EmulatedClusterOptions { Name = key.Name, KubernetesVersion = version };
        var child = EmulatedCluster.StartAsync(options).GetAwaiter().GetResult();
        lock (_childrenGate)
            _children[key] = child;
        return child;
    }

    private static void SyncNodes(EmulatedCluster child, string clusterName, int controlPlaneReplicas,
        IReadOnlyList<(ResourceType Type, JsonObject Object)> workers, string? version)
    {
        var wanted = new Dictionary<string, bool>(StringComparer.Ordinal);
        for (var i = 0; i < controlPlaneReplicas; i++)
            wanted[$"{clusterName}-control-plane-{i}"] = true;
        foreach (var worker in workers)
            for (var i = 0; i < Replicas(worker); i++)
                wanted[$"{worker.Object["metadata"]!["name"]}-{i}"] = false;

        var nodeType = child.Registry.Find("", "nodes")!;
        var kubelet = version ?? child.KubernetesVersion;
        foreach (var node in child.Store.List(nodeType, null).Items)
        {
            var name = (string)node["metadata"]!["name"]!;
            if (!wanted.ContainsKey(name))
                child.Store.Delete(nodeType, null, name);
        }
        foreach (var (name, isControlPlane) in wanted)
        {
            var desired = NodeObject(name, isControlPlane, kubelet);
            var existing = child.Store.Get(nodeType, null, name);
            if (existing is null)
                child.Store.Create(nodeType, desired);
            else if (!JsonNode.DeepEquals(existing["status"], desired["status"]))
            {
                existing["status"] = desired["status"]!.DeepClone();
                child.Store.Update(nodeType, existing);
            }
        }
    }

    private static JsonObject NodeObject(string name, bool isControlPlane, string kubeletVersion)
    {
        var labels = new JsonObject { ["kubernetes.io/hostname"] = name, ["kubernetes.io/os"] = "linux" };
        if (isControlPlane)
            labels["node-role.kubernetes.io/control-plane"] = "";
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels },
            ["status"] = new JsonObject
            {
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True", ["reason"] = "KubeletReady" }),
                ["nodeInfo"] = new JsonObject { ["kubeletVersion"] = kubeletVersion },
            },
        };
    }

    private void EnsureKubeconfigSecret(JsonObject cluster, EmulatedCluster child)
    {
        var ns = (string)cluster["metadata"]!["namespace"]!;
        var name = (string)cluster["metadata"]!["name"]!;
        var secretType = Cluster.Registry.Find("", "secrets")!;
        var value = Convert.ToBase64String(Encoding.UTF8.GetBytes(ClusterApiStatus.Kubeconfig(name, child)));
        var existing = Cluster.Store.Get(secretType, ns, name + "-kubeconfig");
        if (existing is not null)
        {
            if ((string?)existing["data"]?["value"] == value)
                return;
            existing["data"] = new JsonObject { ["value"] = value };
            Cluster.Store.Update(secretType, existing);
            return;
        }
        Cluster.Store.Create(secretType, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject
            {
                ["name"] = name + "-kubeconfig",
                ["namespace"] = ns,
                ["labels"] = new JsonObject { [ClusterNameLabel] = name },
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = (string?)cluster["apiVersion"],
                    ["kind"] = "Cluster",
                    ["name"] = name,
                    ["uid"] = (string?)cluster["metadata"]!["uid"],
                    ["controller"] = true,
                }),
            },
            ["type"] = "cluster.x-k8s.io/secret",
            ["data"] = new JsonObject { ["value"] = value },
        });
    }

    private void Teardown(ObjectKey key)
    {
        _firstSeen.Remove(key);
        EmulatedCluster? child;
        lock (_childrenGate)
            _children.Remove(key, out child);
        child?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        var secretType = Cluster.Registry.Find("", "secrets")!;
        if (Cluster.Store.Get(secretType, key.Namespace, key.Name + "-kubeconfig") is not null)
            Cluster.Store.Delete(secretType, key.Namespace, key.Name + "-kubeconfig");
    }
}
