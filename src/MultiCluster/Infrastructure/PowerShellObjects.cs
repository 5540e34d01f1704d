using System.Collections;
using System.Collections.Specialized;
using System.Management.Automation;

namespace MultiCluster.Infrastructure;

/// <summary>
/// Turns what users pipe (hashtables, PSCustomObjects, arrays of PSObjects, YAML strings, our own
/// result objects) into plain dictionary/list/scalar trees the engine reads. PowerShell's
/// wrappers end here; the engine never sees a PSObject.
/// </summary>
internal static class PowerShellObjects
{
    public static object? ToPlain(object? value)
    {
        if (value is PSObject wrapped)
        {
            if (wrapped.BaseObject is PSCustomObject)
            {
                var properties = new OrderedDictionary(StringComparer.Ordinal);
                foreach (var property in wrapped.Properties)
                    properties[property.Name] = ToPlain(property.Value);
                return properties;
            }
            value = wrapped.BaseObject;
        }
        switch (value)
        {
            case null or string or bool or char or DateTime or DateTimeOffset or Guid:
                return value;
            case FleetManifest manifest:
                return manifest.Yaml;
            case FleetResource resource:
                return ToPlain(resource.Object);
            case IDictionary dictionary:
                var copy = new OrderedDictionary(StringComparer.Ordinal);
                foreach (DictionaryEntry entry in dictionary)
                    copy[entry.Key.ToString()!] = ToPlain(entry.Value);
                return copy;
            case IEnumerable items:
                var list = new List<object?>();
                foreach (var item in items) list.Add(ToPlain(item));
                return list;
            default:
                return value;
        }
    }
}
