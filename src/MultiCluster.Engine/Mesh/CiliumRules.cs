using System.Text.RegularExpressions;

namespace MultiCluster.Engine.Mesh;

/// <summary>What Cilium Cluster Mesh accepts as a cluster name and id (pkg/clustermesh/types).</summary>
internal static partial class CiliumRules
{
    public const int MaxClusterId = 255;
    public const int MaxExtendedClusterId = 511;
    public const int MaxNameLength = 32;

    public static int MaxId(bool extended) => extended ? MaxExtendedClusterId : MaxClusterId;

    /// <summary>Null when Cilium accepts the name for a cluster with a non-zero id; otherwise why not.</summary>
    public static string? NameProblem(string name)
    {
        if (name.Length > MaxNameLength) return $"is {name.Length} characters long; Cilium allows {MaxNameLength}";
        if (!NamePattern().IsMatch(name)) return "must be lower-case letters, digits and '-', starting and ending with a letter or digit";
        if (name == "default") return "is Cilium's default name, which Cluster Mesh refuses for a cluster with an id";
        return null;
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex NamePattern();
}
