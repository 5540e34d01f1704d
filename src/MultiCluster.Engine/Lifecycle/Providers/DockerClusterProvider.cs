using System.Text.Json.Nodes;

namespace MultiCluster.Engine.Lifecycle.Providers;

/// <summary>
/// Cluster API Provider Docker (CAPD), the development provider: machines are kind node
/// containers whose image CAPD picks from the Kubernetes version, so there is nothing to size.
/// </summary>
public sealed class DockerClusterProvider : IClusterProvider
{
    public string Name => "Docker";
    public string ClusterctlName => "docker";
    public string ClusterKind => "DockerCluster";
    public string MachineTemplateKind => "DockerMachineTemplate";
    public IReadOnlyList<string> InfrastructureVersions { get; } = ["v1beta2", "v1beta1"];

    /// <summary>Kind nodes share the host's disk: without this the kubelet evicts pods as soon as the host's disk fills.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> KubeletExtraArgs { get; } =
        [new("eviction-hard", "nodefs.available<0%,nodefs.inodesFree<0%,imagefs.available<0%")];

    public IReadOnlyList<KeyValuePair<string, string>> ControllerManagerExtraArgs { get; } = [];

    public string? NodeName => null;

    public void Validate(FleetClusterSpec spec)
    {
        // Docker machines have no region, zones or machine types; nothing else to check.
    }

    public JsonObject ClusterSpec(FleetClusterSpec spec, string infrastructureVersion) => new();

    public JsonObject MachineSpec(FleetClusterSpec spec, MachineRole role, string infrastructureVersion) => new()
    {
        // The docker socket lets workload clusters run CAPD themselves (as clusterctl's development template does).
        ["extraMounts"] = new JsonArray(new JsonObject
        {
            ["containerPath"] = "/var/run/docker.sock",
            ["hostPath"] = "/var/run/docker.sock",
        }),
    };
}
