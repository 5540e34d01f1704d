namespace MultiCluster.Engine.Resources;

/// <summary>
/// Which objects a read or delete is about: a kind (with or without apiVersion; plural and
/// lower-case names work as in kubectl), and a name or a label selector, in a namespace or all.
/// </summary>
public sealed record ResourceQuery
{
    /// <summary>"apps/v1", "v1"; null to find the kind through discovery.</summary>
    public string? ApiVersion { get; init; }

    /// <summary>"Deployment", "deployments" or "deployment".</summary>
    public required string Kind { get; init; }

    /// <summary>One object's name; null for all that match <see cref="LabelSelector"/>.</summary>
    public string? Name { get; init; }

    /// <summary>The namespace; null means the context's namespace (ignored for cluster-scoped kinds).</summary>
    public string? Namespace { get; init; }

    /// <summary>Every namespace (kubectl's -A).</summary>
    public bool AllNamespaces { get; init; }

    /// <summary>Kubernetes label selector, e.g. <c>app=web,tier!=db</c>.</summary>
    public string? LabelSelector { get; init; }

    public override string ToString()
    {
        var scope = (Name, Namespace) switch
        {
            (not null, not null) => $" {Namespace}/{Name}",
            (not null, null) => " " + Name,
            (null, not null) => $" in namespace '{Namespace}'",
            _ => "",
        };
        return $"{(ApiVersion is null ? "" : ApiVersion + " ")}{Kind}{scope}{(LabelSelector is null ? "" : $" -l {LabelSelector}")}";
    }
}
