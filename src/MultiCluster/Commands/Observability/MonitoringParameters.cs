using System.Collections;
using System.Globalization;
using System.Management.Automation;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Observability.Monitoring;

namespace MultiCluster.Commands.Observability;

/// <summary>Hashtable parameters of the monitoring cmdlets as the engine takes them: string to string, keys named on refusal.</summary>
internal static class MonitoringParameters
{
    public static IReadOnlyDictionary<string, string> Strings(Hashtable? table, string parameter, string errorId)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (table is null) return result;
        foreach (DictionaryEntry entry in table)
        {
            var key = Text(entry.Key);
            var value = entry.Value is PSObject ps ? ps.BaseObject : entry.Value;
            if (value is null or IDictionary or IEnumerable and not string)
                throw new FleetInputException(errorId, FleetErrorCategory.InvalidArgument, key,
                    $"-{parameter}['{key}'] must be one text value, such as @{{ '{key}' = 'value' }}. Nothing was changed.");
            result[key] = Text(value);
        }
        return result;
    }

    public static string Text(object? value) => Convert.ToString(value is PSObject ps ? ps.BaseObject : value, CultureInfo.InvariantCulture) ?? "";

    /// <summary>The error id for a bad -Endpoint entry.</summary>
    public const string EndpointError = MonitoringErrorIds.EndpointInvalid, LabelError = MonitoringErrorIds.ExternalLabelInvalid;
}
