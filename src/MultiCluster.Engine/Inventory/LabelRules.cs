using System.Text.RegularExpressions;

namespace MultiCluster.Engine.Inventory;

/// <summary>Kubernetes' syntax rules for label keys and values.</summary>
public static partial class LabelRules
{
    [GeneratedRegex("^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")]
    private static partial Regex NamePart();

    /// <summary>Why <paramref name="key"/> is not a valid label key, or null when it is.</summary>
    public static string? KeyProblem(string key)
    {
        var slash = key.IndexOf('/');
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (slash >= 0)
        {
            var prefix = key[..slash];
            if (Resources.KubernetesNames.DnsSubdomainProblem(prefix) is not null)
                return $"the prefix '{prefix}' must be a lowercase DNS subdomain of at most 253 characters";
        }
        if (name.Length == 0) return "the name part must not be empty";
        if (name.Length > 63) return "the name part must be at most 63 characters";
        if (!NamePart().IsMatch(name))
            return "the name part must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit";
        return null;
    }

    /// <summary>Why <paramref name="value"/> is not a valid label value, or null when it is.</summary>
    public static string? ValueProblem(string value)
    {
        if (value.Length > 63) return "a label value must be at most 63 characters";
        if (!NamePart().IsMatch(value))
            return "a label value must be empty or consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit";
        return null;
    }
}
