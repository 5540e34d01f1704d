using System.Text.Json.Nodes;
using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Lifecycle;

/// <summary>
/// Writes the Cluster API objects of one workload cluster: Cluster, the provider's cluster kind,
/// KubeadmControlPlane with its machine template, and one MachineDeployment with its machine and
/// KubeadmConfigTemplate; or, with a ClusterClass, a single topology-based Cluster. Field names
/// follow the Cluster API version given (v1beta1 and v1beta2 differ in references, kubeadm flags
/// and topology). Pure: validates nothing and contacts nothing (see <see cref="ClusterManifestService"/>).
/// </summary>
public static class ClusterManifestRenderer
{
    public const string ClusterNameLabel = "cluster.x-k8s.io/cluster-name";
    public const string AuditPolicyPath = "/etc/kubernetes/audit-policy.yaml";
    public const string AuditLogDirectory = "/var/log/kubernetes/audit";

    /// <summary>What the API server audits: metadata of every request, request bodies of writes, nothing of the noisiest reads.</summary>
    internal const string AuditPolicy = """
        apiVersion: audit.k8s.io/v1
        kind: Policy
        omitStages:
          - RequestReceived
        rules:
          - level: None
            users: ["system:kube-proxy"]
            verbs: ["watch"]
          - level: None
            nonResourceURLs: ["/healthz*", "/livez*", "/readyz*", "/version"]
          - level: Metadata
            resources:
              - group: ""
                resources: ["secrets", "configmaps"]
              - group: "authentication.k8s.io"
                resources: ["tokenreviews"]
          - level: Request
            verbs: ["create", "update", "patch", "delete", "deletecollection"]
          - level: Metadata

        """;

    /// <summary>The objects in the order they are applied; every one carries the managed-by label.</summary>
    public static IReadOnlyList<KubeObject> Render(FleetClusterSpec spec, IClusterProvider provider, ClusterApiVersions versions)
    {
        var objects = spec.ClusterClass is { Length: > 0 }
            ? [TopologyCluster(spec, provider, versions)]
            : new List<KubeObject>
            {
                Cluster(spec, provider, versions),
                Infrastructure(spec, provider.ClusterKind, spec.Name, versions, provider.ClusterSpec(spec, versions.Infrastructure)),
                ControlPlane(spec, provider, versions),
                MachineTemplate(spec, provider, versions, MachineRole.ControlPlane),
                MachineDeployment(spec, provider, versions),
                MachineTemplate(spec, provider, versions, MachineRole.Worker),
                ConfigTemplate(spec, provider, versions),
            };
        foreach (var obj in objects) obj.SetLabel(KubeObject.ManagedByLabel, KubeObject.ManagedByValue);
        return objects;
    }

    public static string ControlPlaneName(string cluster) => $"{cluster}-control-plane";

    public static string WorkerPoolName(string cluster) => $"{cluster}-md-0";

    private static KubeObject Cluster(FleetClusterSpec spec, IClusterProvider provider, ClusterApiVersions versions)
    {
        var clusterSpec = new JsonObject
        {
            ["clusterNetwork"] = Network(spec),
            ["controlPlaneRef"] = Reference(versions, ClusterApiVersions.ControlPlaneGroup, versions.CoreVersion,
                "KubeadmControlPlane", ControlPlaneName(spec.Name)),
            ["infrastructureRef"] = Reference(versions, ClusterApiVersions.InfrastructureGroup, versions.Infrastructure,
                provider.ClusterKind, spec.Name),
        };
        return Object(spec, versions.CoreApiVersion(ClusterApiVersions.CoreGroup), "Cluster", spec.Name, clusterSpec, spec.Labels);
    }

    private static KubeObject TopologyCluster(FleetClusterSpec spec, IClusterProvider provider, ClusterApiVersions versions)
    {
        var workers = new JsonObject
        {
            ["machineDeployments"] = new JsonArray(new JsonObject
            {
                ["class"] = spec.WorkerClass,
                ["name"] = "md-0",
                ["replicas"] = spec.WorkerReplicas,
            }),
        };
        var topology = new JsonObject();
        if (versions.Core == FleetClusterApiVersion.V1Beta1) topology["class"] = spec.ClusterClass;
        else topology["classRef"] = new JsonObject { ["name"] = spec.ClusterClass };
        topology["version"] = spec.KubernetesVersion;
        topology["controlPlane"] = new JsonObject { ["replicas"] = spec.ControlPlaneReplicas };
        topology["workers"] = workers;

        var clusterSpec = new JsonObject { ["clusterNetwork"] = Network(spec), ["topology"] = topology };
        return Object(spec, versions.CoreApiVersion(ClusterApiVersions.CoreGroup), "Cluster", spec.Name, clusterSpec, spec.Labels);
    }

    private static JsonObject Network(FleetClusterSpec spec) => new()
    {
        ["pods"] = new JsonObject { ["cidrBlocks"] = new JsonArray(spec.PodCidr) },
        ["services"] = new JsonObject { ["cidrBlocks"] = new JsonArray(spec.ServiceCidr) },
        ["serviceDomain"] = "cluster.local",
    };

    private static KubeObject ControlPlane(FleetClusterSpec spec, IClusterProvider provider, ClusterApiVersions versions)
    {
        var infrastructureRef = Reference(versions, ClusterApiVersions.InfrastructureGroup, versions.Infrastructure,
            provider.MachineTemplateKind, ControlPlaneName(spec.Name));
        // v1beta2 moved the machine's fields under machineTemplate.spec.
        var machineTemplate = versions.Core == FleetClusterApiVersion.V1Beta1
            ? new JsonObject { ["infrastructureRef"] = infrastructureRef }
            : new JsonObject { ["spec"] = new JsonObject { ["infrastructureRef"] = infrastructureRef } };

        var apiServer = new JsonObject
        {
            ["extraArgs"] = KubeadmArgs.Write(versions.Core,
            [
                new("audit-policy-file", AuditPolicyPath),
                new("audit-log-path", $"{AuditLogDirectory}/audit.log"),
                new("audit-log-maxage", "30"),
                new("audit-log-maxbackup", "10"),
                new("audit-log-maxsize", "100"),
            ]),
            ["extraVolumes"] = new JsonArray(
                new JsonObject
                {
                    ["name"] = "audit-policy",
                    ["hostPath"] = AuditPolicyPath,
                    ["mountPath"] = AuditPolicyPath,
                    ["readOnly"] = true,
                    ["pathType"] = "File",
                },
                new JsonObject
                {
                    ["name"] = "audit-logs",
                    ["hostPath"] = AuditLogDirectory,
                    ["mountPath"] = AuditLogDirectory,
                    ["pathType"] = "DirectoryOrCreate",
                }),
        };
        var clusterConfiguration = new JsonObject { ["apiServer"] = apiServer };
        if (provider.ControllerManagerExtraArgs.Count > 0)
            clusterConfiguration["controllerManager"] = new JsonObject { ["extraArgs"] = KubeadmArgs.Write(versions.Core, provider.ControllerManagerExtraArgs) };

        var kubeadmConfigSpec = new JsonObject
        {
            ["clusterConfiguration"] = clusterConfiguration,
            ["files"] = new JsonArray(new JsonObject
            {
                ["path"] = AuditPolicyPath,
                ["owner"] = "root:root",
                ["permissions"] = "0600",
                ["content"] = AuditPolicy,
            }),
            ["initConfiguration"] = new JsonObject { ["nodeRegistration"] = NodeRegistration(provider, versions) },
            ["joinConfiguration"] = new JsonObject { ["nodeRegistration"] = NodeRegistration(provider, versions) },
        };

        var controlPlaneSpec = new JsonObject
        {
            ["replicas"] = spec.ControlPlaneReplicas,
            ["version"] = spec.KubernetesVersion,
            ["machineTemplate"] = machineTemplate,
            ["kubeadmConfigSpec"] = kubeadmConfigSpec,
        };
        return Object(spec, versions.CoreApiVersion(ClusterApiVersions.ControlPlaneGroup), "KubeadmControlPlane",
            ControlPlaneName(spec.Name), controlPlaneSpec);
    }

    private static KubeObject MachineDeployment(FleetClusterSpec spec, IClusterProvider provider, ClusterApiVersions versions)
    {
        var name = WorkerPoolName(spec.Name);
        var selector = new JsonObject { [ClusterNameLabel] = spec.Name };
        var machineSpec = new JsonObject
        {
            ["clusterName"] = spec.Name,
            ["version"] = spec.KubernetesVersion,
            ["bootstrap"] = new JsonObject
            {
                ["configRef"] = Reference(versions, ClusterApiVersions.BootstrapGroup, versions.CoreVersion, "KubeadmConfigTemplate", name),
            },
            ["infrastructureRef"] = Reference(versions, ClusterApiVersions.InfrastructureGroup, versions.Infrastructure,
                provider.MachineTemplateKind, name),
        };
        var deploymentSpec = new JsonObject
        {
            ["clusterName"] = spec.Name,
            ["replicas"] = spec.WorkerReplicas,
            ["selector"] = new JsonObject { ["matchLabels"] = selector },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = selector.DeepClone() },
                ["spec"] = machineSpec,
            },
        };
        return Object(spec, versions.CoreApiVersion(ClusterApiVersions.CoreGroup), "MachineDeployment", name, deploymentSpec);
    }

    private static KubeObject MachineTemplate(FleetClusterSpec spec, IClusterProvider provider, ClusterApiVersions versions, MachineRole role)
    {
        var name = role == MachineRole.ControlPlane ? ControlPlaneName(spec.Name) : WorkerPoolName(spec.Name);
        var templateSpec = new JsonObject
        {
            ["template"] = new JsonObject { ["spec"] = provider.MachineSpec(spec, role, versions.Infrastructure) },
        };
        return Infrastructure(spec, provider.MachineTemplateKind, name, versions, templateSpec);
    }

    private static KubeObject ConfigTemplate(FleetClusterSpec spec, IClusterProvider provider, ClusterApiVersions versions)
    {
        var templateSpec = new JsonObject
        {
            ["template"] = new JsonObject
            {
                ["spec"] = new JsonObject
                {
                    ["joinConfiguration"] = new JsonObject { ["nodeRegistration"] = NodeRegistration(provider, versions) },
                },
            },
        };
        return Object(spec, versions.CoreApiVersion(ClusterApiVersions.BootstrapGroup), "KubeadmConfigTemplate",
            WorkerPoolName(spec.Name), templateSpec);
    }

    private static JsonObject NodeRegistration(IClusterProvider provider, ClusterApiVersions versions)
    {
        var registration = new JsonObject();
        if (provider.NodeName is { } nodeName) registration["name"] = nodeName;
        if (provider.KubeletExtraArgs.Count > 0) registration["kubeletExtraArgs"] = KubeadmArgs.Write(versions.Core, provider.KubeletExtraArgs);
        return registration;
    }

    /// <summary>
    /// A reference to another object of the cluster: v1beta1 names the full apiVersion, v1beta2
    /// only the group (the controllers resolve the version from the provider's contract).
    /// </summary>
    private static JsonObject Reference(ClusterApiVersions versions, string group, string version, string kind, string name) =>
        versions.Core == FleetClusterApiVersion.V1Beta1
            ? new JsonObject { ["apiVersion"] = $"{group}/{version}", ["kind"] = kind, ["name"] = name }
            : new JsonObject { ["apiGroup"] = group, ["kind"] = kind, ["name"] = name };

    private static KubeObject Infrastructure(FleetClusterSpec spec, string kind, string name, ClusterApiVersions versions, JsonObject objectSpec) =>
        Object(spec, versions.InfrastructureApiVersion, kind, name, objectSpec);

    private static KubeObject Object(FleetClusterSpec spec, string apiVersion, string kind, string name, JsonObject objectSpec,
        IReadOnlyDictionary<string, string>? extraLabels = null)
    {
        var labels = new JsonObject { [ClusterNameLabel] = spec.Name };
        foreach (var (key, value) in extraLabels ?? new Dictionary<string, string>()) labels[key] = value;
        return new KubeObject(new JsonObject
        {
            ["apiVersion"] = apiVersion,
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = spec.Namespace, ["labels"] = labels },
            ["spec"] = objectSpec,
        });
    }
}
