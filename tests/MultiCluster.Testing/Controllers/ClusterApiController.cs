using System.Text;
using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.Controllers.ClusterApi;

namespace MultiCluster.Testing.Controllers;

/// <summary>
/// Stands in for Cluster API's core and kubeadm control plane controllers (v1beta2 and v1beta1).
/// A Cluster goes Pending, then Provisioning (infrastructure ready) half of
/// <see cref="ProvisionDelay"/> later; from then on the KubeadmControlPlane's machines, and once
/// the first of them is Ready (the control plane is initialized) the MachineDeployments'
/// machines, are created, replaced and deleted one per <see cref="MachineStepInterval"/>
/// (<see cref="MachineRollout"/>), and the owners' status follows them as Cluster API reports it
/// (replicas, ready/available/up-to-date counts, version, conditions). The Cluster is Provisioned
/// once <see cref="ProvisionDelay"/> has passed and the control plane is initialized: a new
/// emulator instance is started with a Node per Ready machine (kubelet version per machine) and
/// /version the control plane's lowest machine version, and the &lt;name&gt;-kubeconfig Secret is
/// written for it. Deleting the Cluster (or stopping this instance) stops the child and removes
/// the Secret. Simulated: no Machine, MachineSet or infrastructure objects, no bootstrap data, no
/// remediation. A topology Cluster gets the KubeadmControlPlane and MachineDeployments it asks
/// for (ClusterTopology.cs), without the ClusterClass's templates.
/// </summary>
public sealed partial class ClusterApiController(TimeSpan provisionDelay, TimeSpan machineStepInterval) : StoreController
{
    public const string ControllerName = "cluster-api";
    public const string ClusterNameLabel = "cluster.x-k8s.io/cluster-name";
    public const string ClusterGroup = "cluster.x-k8s.io";
    public const string ControlPlaneGroup = "controlplane.cluster.x-k8s.io";

    /// <summary>How long one machine step takes unless <see cref="ControllerSettings.ClusterMachineStepInterval"/> says otherwise.</summary>
    public static readonly TimeSpan DefaultMachineStepInterval = TimeSpan.FromMilliseconds(100);

    private static readonly string DefaultKubernetesVersion = new EmulatedClusterOptions().KubernetesVersion;

    // Clusters and machine owners by the clock time this controller first saw them.
    private readonly Dictionary<ObjectKey, DateTimeOffset> _firstSeen = [];
    // Per Cluster, the machines of each of its owners.
    private readonly Dictionary<ObjectKey, Dictionary<ObjectKey, MachineRollout>> _rollouts = [];
    // Owner -> Cluster, so a deleted owner still finds the Cluster whose machines it takes away.
    private readonly Dictionary<ObjectKey, ObjectKey> _ownerCluster = [];
    private readonly Dictionary<ObjectKey, EmulatedCluster> _children = [];
    private readonly object _childrenGate = new();

    public ClusterApiController() : this(TimeSpan.FromSeconds(10), DefaultMachineStepInterval)
    {
    }

    /// <summary>How long after a Cluster appears it is Provisioned, on the instance's clock.</summary>
    public TimeSpan ProvisionDelay { get; } = provisionDelay;

    /// <summary>How long each machine step (create, Ready, delete) takes, on the instance's clock.</summary>
    public TimeSpan MachineStepInterval { get; } = machineStepInterval > TimeSpan.Zero
        ? machineStepInterval
        : throw new ArgumentOutOfRangeException(nameof(machineStepInterval), "a machine step must take some time");

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
        else if (_ownerCluster.TryGetValue(key, out var clusterKey))
            ReconcileCluster(clusterKey);
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
        if (ReconcileTopology(key, type, cluster))
            return;
        var now = Cluster.Clock.UtcNow;
        var firstSeen = FirstSeen(key, now);
        var infrastructureDue = firstSeen + ProvisionDelay / 2;
        var provisionedDue = firstSeen + ProvisionDelay;
        var infrastructureReady = now >= infrastructureDue;
        var wakeUps = new List<DateTimeOffset>();
        var rollouts = _rollouts.TryGetValue(key, out var known) ? known : _rollouts[key] = [];
        var seenOwners = new HashSet<ObjectKey>();

        var topologyVersion = (string?)cluster["spec"]?["topology"]?["version"];
        var controlPlaneObject = ControlPlaneOf(cluster, key.Namespace);
        MachineOwner? controlPlane = null;
        MachineRollout? controlPlaneRollout = null;
        if (controlPlaneObject is { } cp)
        {
            var version = (string?)cp.Object["spec"]?["version"] ?? topologyVersion ?? DefaultKubernetesVersion;
            var infrastructureRef = cp.Object["spec"]?["machineTemplate"]?["spec"]?["infrastructureRef"] ?? cp.Object["spec"]?["machineTemplate"]?["infrastructureRef"];
            var target = Target(cp.Object, version, infrastructureRef);
            controlPlaneRollout = Advance(key, cp, target, infrastructureReady ? infrastructureDue : null, now, rollouts, seenOwners, wakeUps);
            controlPlane = new MachineOwner(cp.Object, controlPlaneRollout.Summarize(target, now));
        }

        // Workers join once the control plane is initialized; without a KubeadmControlPlane, once the infrastructure is.
        var hasKubeadmControlPlane = (string?)cluster["spec"]?["controlPlaneRef"]?["kind"] == MachineOwnerStatus.ControlPlaneKind;
        var workersFrom = hasKubeadmControlPlane ? controlPlaneRollout?.FirstReadyAt : infrastructureDue;
        if (workersFrom is { } from && from > now)
            wakeUps.Add(from);
        var workers = new List<MachineOwner>();
        var workerRollouts = new List<MachineRollout>();
        foreach (var md in MachineDeploymentsOf(key))
        {
            var version = (string?)md.Object["spec"]?["template"]?["spec"]?["version"]
                ?? controlPlane?.Machines.Target.Version ?? topologyVersion ?? DefaultKubernetesVersion;
            var target = Target(md.Object, version, md.Object["spec"]?["template"]?["spec"]?["infrastructureRef"]);
            var rollout = Advance(key, md, target, workersFrom <= now ? workersFrom : null, now, rollouts, seenOwners, wakeUps);
            workers.Add(new MachineOwner(md.Object, rollout.Summarize(target, now)));
            workerRollouts.Add(rollout);
        }
        foreach (var gone in rollouts.Keys.Where(owner => !seenOwners.Contains(owner)).ToList())
        {
            rollouts.Remove(gone);
            _firstSeen.Remove(gone);
            _ownerCluster.Remove(gone);
        }

        var controlPlaneInitialized = !hasKubeadmControlPlane || controlPlane?.Machines.Initialized == true;
        var phase = !infrastructureReady ? ClusterPhase.Pending
            : now >= provisionedDue && controlPlaneInitialized ? ClusterPhase.Provisioned
            : ClusterPhase.Provisioning;
        if (phase == ClusterPhase.Pending)
            wakeUps.Add(infrastructureDue);
        else if (now < provisionedDue)
            wakeUps.Add(provisionedDue);

        if (phase == ClusterPhase.Provisioned)
        {
            var child = EnsureChild(key, controlPlane?.Machines.MinimumVersion ?? topologyVersion);
            SyncNodes(child, controlPlaneRollout, workerRollouts, now);
            EnsureKubeconfigSecret(cluster, child);
        }
        if (controlPlaneObject is { } controlPlaneResource && controlPlane is not null)
            WriteStatus(controlPlaneResource.Type, controlPlane.Object,
                MachineOwnerStatus.Build(controlPlane.Object, controlPlane.Machines, $"{ClusterNameLabel}={key.Name},cluster.x-k8s.io/control-plane", now));
        var workerType = Cluster.Registry.Find(ClusterGroup, "machinedeployments");
        foreach (var worker in workers)
            WriteStatus(workerType!, worker.Object, MachineOwnerStatus.Build(worker.Object, worker.Machines, Selector(worker.Object, key.Name), now));
        WriteStatus(type, cluster, ClusterApiStatus.Cluster(cluster, phase, controlPlane, workers, now));
        if (wakeUps.Count > 0)
            RequeueAt(key, wakeUps.Min());
    }

    private DateTimeOffset FirstSeen(ObjectKey key, DateTimeOffset now) =>
        _firstSeen.TryGetValue(key, out var seen) ? seen : _firstSeen[key] = now;

    // Steps the owner's machines when its start time has come (null: not yet) and asks to be woken for the next step.
    private MachineRollout Advance(ObjectKey clusterKey, (ResourceType Type, JsonObject Object) owner, MachineTarget target, DateTimeOffset? startFrom,
        DateTimeOffset now, Dictionary<ObjectKey, MachineRollout> rollouts, HashSet<ObjectKey> seenOwners, List<DateTimeOffset> wakeUps)
    {
        var ownerKey = ObjectKey.For(owner.Type, clusterKey.Namespace, (string)owner.Object["metadata"]!["name"]!);
        seenOwners.Add(ownerKey);
        _ownerCluster[ownerKey] = clusterKey;
        var ownerSeen = FirstSeen(ownerKey, now);
        if (!rollouts.TryGetValue(ownerKey, out var rollout))
            rollouts[ownerKey] = rollout = new MachineRollout((string)owner.Object["metadata"]!["name"]!, MachineStepInterval);
        if (startFrom is { } from)
            rollout.AdvanceTo(target, from > ownerSeen ? from : ownerSeen, now);
        if (rollout.NextStep is { } next)
            wakeUps.Add(next);
        return rollout;
    }

    // What replaces machines when it changes: the version and the infrastructure machine template.
    private static MachineTarget Target(JsonObject owner, string version, JsonNode? infrastructureRef) =>
        new((int)(DeploymentStatus.Number(owner["spec"]?["replicas"]) ?? 1), version, $"{version}|{(string?)infrastructureRef?["kind"]}/{(string?)infrastructureRef?["name"]}");

    // status.selector: the MachineDeployment's selector as a label query (Cluster API adds the cluster-name label).
    private static string Selector(JsonObject machineDeployment, string clusterName)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal) { [ClusterNameLabel] = clusterName };
        if (machineDeployment["spec"]?["selector"]?["matchLabels"] is JsonObject matchLabels)
            foreach (var (name, value) in matchLabels)
                labels[name] = (string?)value ?? "";
        return string.Join(",", labels.Select(l => $"{l.Key}={l.Value}"));
    }

    private void WriteStatus(ResourceType type, JsonObject obj, JsonObject status)
    {
        if (JsonNode.DeepEquals(obj["status"], status))
            return;
        obj["status"] = status;
        Cluster.Store.Update(type, obj);
    }

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

    // A Node per Ready machine, named after it and with its kubelet version.
    private static void SyncNodes(EmulatedCluster child, MachineRollout? controlPlane, IEnumerable<MachineRollout> workers, DateTimeOffset now)
    {
        var wanted = new Dictionary<string, (bool IsControlPlane, string Version)>(StringComparer.Ordinal);
        foreach (var machine in controlPlane?.Machines.Where(m => m.IsReadyAt(now)) ?? [])
            wanted[machine.Name] = (true, machine.Version);
        foreach (var machine in workers.SelectMany(w => w.Machines).Where(m => m.IsReadyAt(now)))
            wanted[machine.Name] = (false, machine.Version);

        var nodeType = child.Registry.Find("", "nodes")!;
        foreach (var node in child.Store.List(nodeType, null).Items)
        {
            var name = (string)node["metadata"]!["name"]!;
            if (!wanted.ContainsKey(name))
                child.Store.Delete(nodeType, null, name);
        }
        foreach (var (name, (isControlPlane, version)) in wanted)
        {
            var desired = NodeObject(name, isControlPlane, version);
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
        if (_rollouts.Remove(key, out var rollouts))
            foreach (var owner in rollouts.Keys)
            {
                _firstSeen.Remove(owner);
                _ownerCluster.Remove(owner);
            }
        EmulatedCluster? child;
        lock (_childrenGate)
            _children.Remove(key, out child);
        child?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        var secretType = Cluster.Registry.Find("", "secrets")!;
        if (Cluster.Store.Get(secretType, key.Namespace, key.Name + "-kubeconfig") is not null)
            Cluster.Store.Delete(secretType, key.Namespace, key.Name + "-kubeconfig");
    }
}
