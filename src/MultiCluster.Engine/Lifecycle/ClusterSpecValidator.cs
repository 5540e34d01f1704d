using System.Text.RegularExpressions;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;

namespace MultiCluster.Engine.Lifecycle;

/// <summary>
/// Checks a <see cref="FleetClusterSpec"/> before anything is rendered or sent: every problem is a
/// <see cref="FleetInputException"/> whose message names the parameter, so New-FleetCluster stops
/// with a terminating error before the management cluster is touched.
/// </summary>
public static partial class ClusterSpecValidator
{
    private const int MaxNameLength = 63;
    private static readonly int[] AllowedControlPlaneReplicas = [1, 3, 5];

    /// <summary>
    /// Validates <paramref name="spec"/> against itself, its provider and the pod ranges of the
    /// other clusters of <paramref name="fleet"/> (a cluster of the same name is the one being
    /// re-created and does not count). Returns the provider the spec names.
    /// </summary>
    public static IClusterProvider Validate(FleetClusterSpec spec, IEnumerable<FleetCluster>? fleet = null, ClusterProviderCatalog? providers = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ValidateName(spec.Name);
        var provider = (providers ?? ClusterProviderCatalog.Default).Find(spec.Provider);
        ValidateKubernetesVersion(spec.Name, spec.KubernetesVersion);
        if (!AllowedControlPlaneReplicas.Contains(spec.ControlPlaneReplicas))
        {
            throw Invalid(LifecycleErrorIds.ControlPlaneReplicasInvalid, spec.Name,
                $"-ControlPlaneReplicas {spec.ControlPlaneReplicas} is not allowed: use 1, 3 or 5. etcd needs an odd number of members to keep quorum, and more than 5 slows every write.");
        }
        if (spec.WorkerReplicas < 0)
        {
            throw Invalid(LifecycleErrorIds.WorkerReplicasInvalid, spec.Name,
                $"-WorkerReplicas {spec.WorkerReplicas} is negative; give 0 or more.");
        }
        ValidateNamespace(spec.Name, spec.Namespace);
        ValidateNetworks(spec, fleet ?? []);
        foreach (var (key, value) in spec.Labels)
        {
            if ((LabelRules.KeyProblem(key) ?? LabelRules.ValueProblem(value)) is { } problem)
                throw Invalid(LifecycleErrorIds.LabelInvalid, spec.Name, $"-Labels has an invalid label '{key}={value}': {problem}.");
        }
        if (spec.ClusterClass is null)
        {
            provider.Validate(spec);
        }
        else
        {
            // The ClusterClass defines the infrastructure, so the provider's own parameters do not apply.
            if (!DnsSubdomain().IsMatch(spec.ClusterClass))
            {
                throw Invalid(LifecycleErrorIds.ClusterClassInvalid, spec.Name,
                    $"-ClusterClass '{spec.ClusterClass}' is not a valid ClusterClass name (lowercase letters, digits, '-' and '.', at most 253 characters).");
            }
            if (string.IsNullOrWhiteSpace(spec.WorkerClass) || spec.WorkerClass.Length > 256)
            {
                throw Invalid(LifecycleErrorIds.ClusterClassInvalid, spec.Name,
                    $"-WorkerClass '{spec.WorkerClass}' must name one of the ClusterClass's worker classes (1 to 256 characters).");
            }
        }
        return provider;
    }

    /// <summary>Throws NamespaceInvalid (target <paramref name="cluster"/>) unless <paramref name="ns"/> is a valid namespace name.</summary>
    public static void ValidateNamespace(string cluster, string? ns)
    {
        if (!IsDnsLabel(ns))
        {
            throw Invalid(LifecycleErrorIds.NamespaceInvalid, cluster,
                $"-Namespace '{ns}' is not a valid namespace name (lowercase letters, digits and '-', at most 63 characters).");
        }
    }

    /// <summary>True for a DNS-1123 label: lowercase alphanumerics and '-', starting and ending alphanumeric, at most 63 characters.</summary>
    public static bool IsDnsLabel(string? text) => text is { Length: > 0 and <= MaxNameLength } && DnsLabel().IsMatch(text);

    /// <summary>Parses v1.x.y (with an optional pre-release such as v1.33.0-rc.1) into its minor and patch numbers.</summary>
    public static bool TryParseKubernetesVersion(string? text, out (int Minor, int Patch) version)
    {
        version = default;
        var match = text is null ? Match.Empty : KubernetesVersionPattern().Match(text);
        if (!match.Success) return false;
        version = (int.Parse(match.Groups["minor"].Value, System.Globalization.CultureInfo.InvariantCulture),
                   int.Parse(match.Groups["patch"].Value, System.Globalization.CultureInfo.InvariantCulture));
        return true;
    }

    private static void ValidateName(string? name)
    {
        if (string.IsNullOrEmpty(name))
            throw Invalid(LifecycleErrorIds.ClusterNameInvalid, "(name)", "-Name is empty; give the cluster a name such as 'dev-use1-01'.");
        if (name.Length > MaxNameLength)
        {
            throw Invalid(LifecycleErrorIds.ClusterNameInvalid, name,
                $"-Name '{name}' is {name.Length} characters long; a cluster name is a DNS-1123 label of at most {MaxNameLength} characters.");
        }
        if (!DnsLabel().IsMatch(name))
        {
            throw Invalid(LifecycleErrorIds.ClusterNameInvalid, name,
                $"-Name '{name}' is not a DNS-1123 label: use lowercase letters, digits and '-', starting and ending with a letter or digit.");
        }
    }

    private static void ValidateKubernetesVersion(string cluster, string? version)
    {
        if (TryParseKubernetesVersion(version, out _)) return;
        var hint = version is not null && KubernetesVersionPattern().IsMatch("v" + version) ? $" (did you mean 'v{version}'?)" : "";
        throw Invalid(LifecycleErrorIds.KubernetesVersionInvalid, cluster,
            $"-KubernetesVersion '{version}' is not a Kubernetes version of the form v1.x.y, for example v1.32.3{hint}.");
    }

    private static void ValidateNetworks(FleetClusterSpec spec, IEnumerable<FleetCluster> fleet)
    {
        var pods = ParseCidr(spec.Name, "-PodCidr", spec.PodCidr);
        var services = ParseCidr(spec.Name, "-ServiceCidr", spec.ServiceCidr);
        if (pods.Overlaps(services))
        {
            throw Invalid(LifecycleErrorIds.CidrOverlap, spec.Name,
                $"-PodCidr {pods} and -ServiceCidr {services} overlap; pod and service addresses must come from separate ranges.");
        }
        foreach (var other in fleet)
        {
            if (string.Equals(other.Name, spec.Name, StringComparison.Ordinal)) continue;
            if (other.Network.PodCidr is not { } otherText || !Cidrs.TryParse(otherText, out var otherPods)) continue;
            if (pods.Overlaps(otherPods))
            {
                throw Invalid(LifecycleErrorIds.CidrOverlap, spec.Name,
                    $"-PodCidr {pods} overlaps the pod range {otherPods} of cluster '{other.Name}' in the fleet; give each cluster its own pod range so they can be meshed and routed.");
            }
        }
    }

    /// <summary>Parses a CIDR parameter, or throws CidrInvalid naming it.</summary>
    internal static Cidr ParseCidr(string cluster, string parameter, string? text)
    {
        if (text is not null && Cidrs.TryParse(text, out var cidr)) return cidr;
        throw Invalid(LifecycleErrorIds.CidrInvalid, cluster,
            $"{parameter} '{text}' is not a valid CIDR block; give an address and prefix length such as 10.244.0.0/16.");
    }

    internal static FleetInputException Invalid(string errorId, string target, string message) =>
        new(errorId, FleetErrorCategory.InvalidArgument, target, message);

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\z")]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^(?=.{1,253}\z)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\z")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex(@"^v1\.(?<minor>0|[1-9][0-9]*)\.(?<patch>0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?\z")]
    private static partial Regex KubernetesVersionPattern();
}
