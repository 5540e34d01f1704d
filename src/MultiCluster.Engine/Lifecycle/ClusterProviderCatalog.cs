using MultiCluster.Engine.Lifecycle.Providers;

namespace MultiCluster.Engine.Lifecycle;

/// <summary>The infrastructure providers New-FleetCluster knows, by name.</summary>
public sealed class ClusterProviderCatalog
{
    private readonly IReadOnlyList<IClusterProvider> _providers;

    public ClusterProviderCatalog(IEnumerable<IClusterProvider> providers)
    {
        _providers = providers.ToList();
        var duplicate = _providers.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Two providers are named {duplicate.Key}.", nameof(providers));
    }

    /// <summary>AWS (CAPA), Azure (CAPZ) and Docker (CAPD).</summary>
    public static ClusterProviderCatalog Default { get; } =
        new([new AwsClusterProvider(), new AzureClusterProvider(), new DockerClusterProvider()]);

    public IReadOnlyList<string> Names => _providers.Select(p => p.Name).ToList();

    /// <summary>The provider named <paramref name="name"/> (case-insensitive), or ProviderUnknown naming the known ones.</summary>
    public IClusterProvider Find(string? name)
    {
        var provider = _providers.FirstOrDefault(p => string.Equals(p.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));
        return provider ?? throw ClusterSpecValidator.Invalid(LifecycleErrorIds.ProviderUnknown, name ?? "(provider)",
            $"-Provider '{name}' is not a known infrastructure provider; use one of {string.Join(", ", Names)}.");
    }
}
