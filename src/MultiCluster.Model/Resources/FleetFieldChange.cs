namespace MultiCluster;

/// <summary>
/// One field a WhatIf apply would change. <see cref="Path"/> reads like the field's place in the
/// manifest (<c>spec.replicas</c>, <c>spec.template.spec.containers[name=web].image</c>,
/// <c>metadata.labels['app.kubernetes.io/name']</c>); a null side means the field is absent there.
/// Values are strings, numbers, booleans, lists or ordered dictionaries.
/// </summary>
public sealed class FleetFieldChange
{
    public required string Path { get; init; }
    public object? Before { get; init; }
    public object? After { get; init; }

    public override string ToString() => $"{Path}: {Show(Before)} -> {Show(After)}";

    private static string Show(object? value) => value switch
    {
        null => "(none)",
        string text => text,
        bool flag => flag ? "true" : "false",
        System.Collections.IDictionary => "{...}",
        System.Collections.IEnumerable => "[...]",
        IFormattable number => number.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
