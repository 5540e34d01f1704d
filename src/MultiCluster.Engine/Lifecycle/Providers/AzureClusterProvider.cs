using System.Text.Json.Nodes;
using MultiCluster.Engine.ClusterApi;

namespace MultiCluster.Engine.Lifecycle.Providers;

/// <summary>
/// Cluster API Provider Azure (CAPZ): an AzureCluster in its own resource group and virtual
/// network with a control-plane and a node subnet, authenticated through an AzureClusterIdentity,
/// and AzureMachineTemplates.
/// </summary>
public sealed class AzureClusterProvider : IClusterProvider
{
    /// <summary>The AzureClusterIdentity CAPZ's quick start creates; the cluster authenticates through it.</summary>
    public const string DefaultIdentityName = "cluster-identity";

    public string Name => "Azure";
    public string ClusterctlName => "azure";
    public string ClusterKind => "AzureCluster";
    public string MachineTemplateKind => "AzureMachineTemplate";
    public IReadOnlyList<string> InfrastructureVersions { get; } = ["v1beta1"];

    public IReadOnlyList<KeyValuePair<string, string>> KubeletExtraArgs { get; } = [new("cloud-provider", "external")];
    public IReadOnlyList<KeyValuePair<string, string>> ControllerManagerExtraArgs { get; } =
        [new("cloud-provider", "external"), new("allocate-node-cidrs", "false")];

    public string? NodeName => "{{ ds.meta_data[\"local_hostname\"] }}";

    public void Validate(FleetClusterSpec spec)
    {
        if (string.IsNullOrWhiteSpace(spec.Region))
        {
            throw ClusterSpecValidator.Invalid(LifecycleErrorIds.ProviderParameterInvalid, spec.Name,
                "-Region is required for provider Azure (the Azure location, for example westeurope).");
        }
    }

    public JsonObject ClusterSpec(FleetClusterSpec spec, string infrastructureVersion) => new()
    {
        ["location"] = spec.Region,
        ["resourceGroup"] = spec.Name,
        ["identityRef"] = new JsonObject
        {
            ["apiVersion"] = $"{ClusterApiVersions.InfrastructureGroup}/{infrastructureVersion}",
            ["kind"] = "AzureClusterIdentity",
            ["name"] = DefaultIdentityName,
        },
        ["networkSpec"] = new JsonObject
        {
            ["vnet"] = new JsonObject { ["name"] = $"{spec.Name}-vnet", ["cidrBlocks"] = new JsonArray(spec.VpcCidr) },
            ["subnets"] = new JsonArray(
                new JsonObject { ["name"] = $"{spec.Name}-control-plane-subnet", ["role"] = "control-plane" },
                new JsonObject { ["name"] = $"{spec.Name}-node-subnet", ["role"] = "node" }),
        },
    };

    public JsonObject MachineSpec(FleetClusterSpec spec, MachineRole role, string infrastructureVersion) => new()
    {
        ["vmSize"] = role == MachineRole.ControlPlane
            ? spec.ControlPlaneMachineType ?? "Standard_D2s_v3"
            : spec.WorkerMachineType ?? "Standard_D2s_v3",
        ["osDisk"] = new JsonObject { ["osType"] = "Linux", ["diskSizeGB"] = 128 },
        // Empty: CAPZ generates a key pair and keeps it in a secret.
        ["sshPublicKey"] = "",
    };
}
