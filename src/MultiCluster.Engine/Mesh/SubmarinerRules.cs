using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MultiCluster.Engine.Inventory;

namespace MultiCluster.Engine.Mesh;

/// <summary>
/// What subctl and the Submariner operator decide before a join, done the same way: cluster ids
/// (DNS-1123 labels, sanitised from a name as subctl does), the Globalnet cluster size (rounded up
/// to a power of two, at most half the range) and each cluster's global CIDR (the lowest free block
/// of that size in the range, as the operator's allocator finds it).
/// </summary>
public static partial class SubmarinerRules
{
    public const string BrokerNamespace = "submariner-k8s-broker";
    public const string OperatorNamespace = "submariner-operator";
    public const string BrokerName = "submariner-broker";
    public const string SubmarinerName = "submariner";
    public const string GlobalnetConfigMap = "submariner-globalnet-info";
    public const string BrokerClientRole = "submariner-k8s-broker-cluster";
    public const string BrokerSecretName = "submariner-broker-secret";
    public const string PskSecretName = "submariner-ipsec-psk";
    public const string GatewayLabel = "submariner.io/gateway";
    public const string DefaultGlobalnetRange = "242.0.0.0/8";
    public const int DefaultGlobalnetClusterSize = 65536;
    public const int DefaultNatTraversalPort = 4500;
    public static readonly IReadOnlyList<string> CableDrivers = ["libreswan", "wireguard", "vxlan"];
    public static readonly IReadOnlyList<string> Components = ["service-discovery", "connectivity"];

    /// <summary>The broker's service account for one joining cluster, as subctl names it (<c>cluster-&lt;id&gt;</c>).</summary>
    public static string ClusterServiceAccount(string clusterId) => "cluster-" + clusterId;

    /// <summary>Why <paramref name="id"/> is no DNS-1123 label, or null when it is one.</summary>
    public static string? ClusterIdProblem(string id) =>
        id.Length > Resources.KubernetesNames.MaxLabelLength ? "is longer than 63 characters" : Resources.KubernetesNames.DnsLabelProblem(id);

    /// <summary>
    /// subctl's sanitising of a cluster name taken as id: lower case, every run of characters
    /// outside [a-z0-9-] one '-', and a leading or trailing '-' replaced by '0'. A name longer than
    /// 63 characters stays too long (subctl refuses it then).
    /// </summary>
    public static string SanitizeClusterId(string name)
    {
        if (name.Length == 0) return name;
        var result = Invalid().Replace(name.ToLowerInvariant(), "-");
        if (result[0] == '-') result = "0" + result[1..];
        if (result[^1] == '-') result = result[..^1] + "0";
        return result;
    }

    /// <summary>
    /// The cluster size the operator uses: <paramref name="size"/> rounded up to a power of two,
    /// refused when it exceeds half of <paramref name="range"/>. Null with the reason when refused.
    /// </summary>
    public static (int Size, string? Problem) ValidClusterSize(Cidr range, int size)
    {
        if (size < 1) return (0, $"cluster size {size} is not positive");
        var available = 1L << (32 - range.PrefixLength);
        var rounded = 1L;
        while (rounded < size) rounded <<= 1;
        return rounded > available / 2
            ? (0, $"cluster size {size} (rounded up to {rounded}) is more than half of {range} ({available / 2} addresses)")
            : ((int)rounded, null);
    }

    /// <summary>Why <paramref name="text"/> cannot be the Globalnet range, or null; the range itself when it can.</summary>
    public static (Cidr Range, string? Problem) ParseGlobalnetRange(string text)
    {
        if (!Cidrs.TryParse(text, out var range)) return (default, "is not a CIDR");
        if (range.Family != AddressFamily.InterNetwork) return (default, "is not IPv4 (Globalnet allocates IPv4 only)");
        var address = range.Network;
        if (address.Equals(IPAddress.Any)) return (default, "is unspecified");
        if (IPAddress.IsLoopback(address)) return (default, "is in the loopback range");
        if (address.GetAddressBytes() is [169, 254, ..]) return (default, "is in the link-local range");
        if (range.PrefixLength > 30) return (default, "is too small to hold two clusters");
        return (Normalise(range), null);
    }

    /// <summary>
    /// The lowest block of <paramref name="size"/> addresses inside <paramref name="range"/> that
    /// overlaps none of <paramref name="taken"/>; null when the range is full.
    /// </summary>
    public static Cidr? AllocateGlobalCidr(Cidr range, int size, IEnumerable<Cidr> taken)
    {
        var prefix = 32 - (int)Math.Log2(size);
        var start = ToUInt(range.Network);
        var end = start + (1L << (32 - range.PrefixLength));
        var used = taken.ToList();
        for (long at = start; at + size <= end; at += size)
        {
            var candidate = new Cidr(FromUInt((uint)at), prefix);
            if (!used.Any(candidate.Overlaps)) return candidate;
        }
        return null;
    }

    /// <summary>True when <paramref name="inner"/> lies wholly inside <paramref name="outer"/>.</summary>
    public static bool Contains(Cidr outer, Cidr inner) => inner.PrefixLength >= outer.PrefixLength && outer.Overlaps(inner);

    private static Cidr Normalise(Cidr range)
    {
        var mask = range.PrefixLength == 0 ? 0u : uint.MaxValue << (32 - range.PrefixLength);
        return new Cidr(FromUInt(ToUInt(range.Network) & mask), range.PrefixLength);
    }

    private static uint ToUInt(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        return (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
    }

    private static IPAddress FromUInt(uint value) => new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);

    [GeneratedRegex("[^a-z0-9-]+")]
    private static partial Regex Invalid();
}
