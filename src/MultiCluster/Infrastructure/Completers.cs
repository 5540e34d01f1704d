using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace MultiCluster.Infrastructure;

/// <summary>Completes values from the current fleet; never throws and never touches a cluster.</summary>
public abstract class FleetValueCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IReadOnlyList<string> values;
        try
        {
            values = Values(RunspaceSessions.Current.GetFleet());
        }
        catch (Exception)
        {
            yield break; // a broken kubeconfig must not break the prompt
        }
        var typed = wordToComplete.Trim('\'', '"');
        var pattern = new WildcardPattern(typed + "*", WildcardOptions.IgnoreCase);
        foreach (var value in values.Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase))
        {
            if (!pattern.IsMatch(value)) continue;
            yield return new CompletionResult(Quote(value), value, CompletionResultType.ParameterValue, value);
        }
    }

    protected abstract IReadOnlyList<string> Values(Fleet fleet);

    // Names with characters the parser would split on (EKS ARNs have ':' and '/', which are fine) get quotes.
    private static string Quote(string value) =>
        value.IndexOfAny([' ', '\'', '"', '$', '`', ',', ';', '(', ')', '{', '}', '@', '#', '&', '|', '<', '>']) >= 0
            ? "'" + value.Replace("'", "''") + "'"
            : value;
}

/// <summary>Completes cluster names of the current fleet.</summary>
public sealed class ClusterNameCompleter : FleetValueCompleter
{
    protected override IReadOnlyList<string> Values(Fleet fleet) => fleet.Clusters.Select(c => c.Name).ToList();
}

/// <summary>Completes the regions of the current fleet.</summary>
public sealed class RegionCompleter : FleetValueCompleter
{
    protected override IReadOnlyList<string> Values(Fleet fleet) =>
        fleet.Clusters.Select(c => c.Region).OfType<string>().ToList();
}
