using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Inventory;

namespace MultiCluster.Engine.Lifecycle.Providers;

/// <summary>
/// Cluster API Provider AWS (CAPA v2): an AWSCluster with a managed VPC, one private and one
/// public subnet per availability zone, an optional bastion, and AWSMachineTemplates.
/// </summary>
public sealed class AwsClusterProvider : IClusterProvider
{
    /// <summary>Each subnet is 1/16 of the VPC, so a VPC holds the subnets of 8 zones.</summary>
    private const int SubnetPrefixExtension = 4;
    private const int MaxZones = 8;

    public string Name => "AWS";
    public string ClusterctlName => "aws";
    public string ClusterKind => "AWSCluster";
    public string MachineTemplateKind => "AWSMachineTemplate";
    public IReadOnlyList<string> InfrastructureVersions { get; } = ["v1beta2"];

    public IReadOnlyList<KeyValuePair<string, string>> KubeletExtraArgs { get; } = [new("cloud-provider", "external")];
    public IReadOnlyList<KeyValuePair<string, string>> ControllerManagerExtraArgs { get; } = [new("cloud-provider", "external")];

    /// <summary>EC2 instances register under their private DNS name, which the AWS cloud controller expects.</summary>
    public string? NodeName => "{{ ds.meta_data.local_hostname }}";

    public void Validate(FleetClusterSpec spec)
    {
        if (string.IsNullOrWhiteSpace(spec.Region))
            throw Invalid(spec, "-Region is required for provider AWS (the AWS region, for example us-east-1).");
        var vpc = ClusterSpecValidator.ParseCidr(spec.Name, "-VpcCidr", spec.VpcCidr);
        if (vpc.Family != AddressFamily.InterNetwork || vpc.PrefixLength is < 16 or > 24)
            throw Invalid(spec, $"-VpcCidr {vpc} must be an IPv4 block from /16 to /24 (AWS allows VPCs of those sizes here, each subnet being 1/16 of it).");
        foreach (var (parameter, text) in new[] { ("-PodCidr", spec.PodCidr), ("-ServiceCidr", spec.ServiceCidr) })
        {
            if (Cidrs.TryParse(text, out var range) && range.Overlaps(vpc))
            {
                throw new Errors.FleetInputException(LifecycleErrorIds.CidrOverlap, Errors.FleetErrorCategory.InvalidArgument, spec.Name,
                    $"{parameter} {range} overlaps -VpcCidr {vpc}; node, pod and service addresses must come from separate ranges.");
            }
        }
        if (spec.AvailabilityZones.Count > MaxZones)
            throw Invalid(spec, $"-AvailabilityZone lists {spec.AvailabilityZones.Count} zones; at most {MaxZones} fit in the VPC's subnets.");
        var duplicate = spec.AvailabilityZones.GroupBy(z => z, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw Invalid(spec, $"-AvailabilityZone lists {duplicate.Key} twice.");
        var foreign = spec.AvailabilityZones.FirstOrDefault(z => !IsZoneOf(z, spec.Region!));
        if (foreign is not null)
            throw Invalid(spec, $"-AvailabilityZone {foreign} is not a zone of region {spec.Region} (zones are the region name and a letter, for example {spec.Region}a).");
    }

    public JsonObject ClusterSpec(FleetClusterSpec spec, string infrastructureVersion)
    {
        var vpc = ClusterSpecValidator.ParseCidr(spec.Name, "-VpcCidr", spec.VpcCidr);
        var network = new JsonObject { ["vpc"] = new JsonObject { ["cidrBlock"] = vpc.ToString() } };
        if (spec.AvailabilityZones.Count > 0)
        {
            var subnets = new JsonArray();
            for (var i = 0; i < spec.AvailabilityZones.Count; i++)
            {
                var zone = spec.AvailabilityZones[i];
                // CAPA creates a subnet whose id does not start with "subnet-" and names it after that id.
                subnets.Add(Subnet($"{spec.Name}-subnet-private-{zone}", zone, Carve(vpc, 2 * i), isPublic: false));
                subnets.Add(Subnet($"{spec.Name}-subnet-public-{zone}", zone, Carve(vpc, 2 * i + 1), isPublic: true));
            }
            network["subnets"] = subnets;
        }

        var result = new JsonObject
        {
            ["region"] = spec.Region,
            ["network"] = network,
            ["controlPlaneLoadBalancer"] = new JsonObject { ["loadBalancerType"] = "nlb", ["healthCheckProtocol"] = "HTTPS" },
            ["bastion"] = new JsonObject { ["enabled"] = spec.Bastion },
        };
        if (spec.SshKeyName is { Length: > 0 } key) result["sshKeyName"] = key;
        return result;
    }

    public JsonObject MachineSpec(FleetClusterSpec spec, MachineRole role, string infrastructureVersion)
    {
        var result = new JsonObject
        {
            ["instanceType"] = role == MachineRole.ControlPlane ? spec.ControlPlaneMachineType ?? "t3.large" : spec.WorkerMachineType ?? "t3.large",
            // The instance profiles `clusterawsadm bootstrap iam create-cloudformation-stack` creates.
            ["iamInstanceProfile"] = role == MachineRole.ControlPlane
                ? "control-plane.cluster-api-provider-aws.sigs.k8s.io"
                : "nodes.cluster-api-provider-aws.sigs.k8s.io",
        };
        if (spec.SshKeyName is { Length: > 0 } key) result["sshKeyName"] = key;
        return result;
    }

    private static JsonObject Subnet(string id, string zone, Cidr cidr, bool isPublic) => new()
    {
        ["id"] = id,
        ["availabilityZone"] = zone,
        ["cidrBlock"] = cidr.ToString(),
        ["isPublic"] = isPublic,
    };

    /// <summary>The <paramref name="index"/>-th block of 1/16 of <paramref name="vpc"/>.</summary>
    internal static Cidr Carve(Cidr vpc, int index)
    {
        var bytes = vpc.Network.GetAddressBytes();
        var network = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
        var prefix = vpc.PrefixLength + SubnetPrefixExtension;
        var mask = vpc.PrefixLength == 0 ? 0u : uint.MaxValue << (32 - vpc.PrefixLength);
        var start = (network & mask) + ((uint)index << (32 - prefix));
        return new Cidr(new IPAddress(new[] { (byte)(start >> 24), (byte)(start >> 16), (byte)(start >> 8), (byte)start }), prefix);
    }

    private static bool IsZoneOf(string zone, string region) =>
        zone.Length > region.Length && zone.StartsWith(region, StringComparison.Ordinal)
        && zone[region.Length..].All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    private static Errors.FleetInputException Invalid(FleetClusterSpec spec, string message) =>
        ClusterSpecValidator.Invalid(LifecycleErrorIds.ProviderParameterInvalid, spec.Name, message);
}
