namespace MultiCluster.Testing;

/// <summary>N emulated clusters started together, with one kubeconfig holding a context for each.</summary>
public sealed class EmulatedFleet : IAsyncDisposable
{
    private EmulatedFleet(IReadOnlyList<EmulatedCluster> clusters, string kubeconfigPath, bool ownsFile)
    {
        Clusters = clusters;
        KubeconfigPath = kubeconfigPath;
        this.ownsFile = ownsFile;
        Kubeconfig = KubeconfigWriter.Write(clusters.Select(c => (c.Name, c)).ToList());
        KubeconfigWriter.WriteFile(kubeconfigPath, Kubeconfig);
    }

    private readonly bool ownsFile;

    public IReadOnlyList<EmulatedCluster> Clusters { get; }
    /// <summary>The kubeconfig YAML; context, cluster names are the instances' names, users "NAME-admin".</summary>
    public string Kubeconfig { get; }
    public string KubeconfigPath { get; }

    public EmulatedCluster this[int index] => Clusters[index];
    public EmulatedCluster this[string name] => Clusters.Single(c => c.Name == name);

    /// <summary>
    /// Starts <paramref name="count"/> instances named PREFIX-1..N in parallel. The kubeconfig goes
    /// to <paramref name="kubeconfigPath"/>, or to a temporary file deleted on dispose.
    /// </summary>
    public static async Task<EmulatedFleet> StartAsync(int count, string namePrefix = "emu", string? kubeconfigPath = null,
        Func<int, EmulatedClusterOptions, EmulatedClusterOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var starts = Enumerable.Range(1, count).Select(i =>
        {
            var options = new EmulatedClusterOptions { Name = $"{namePrefix}-{i}" };
            if (configure is not null) options = configure(i, options);
            return EmulatedCluster.StartAsync(options, cancellationToken);
        }).ToList();
        try
        {
            var clusters = await Task.WhenAll(starts).ConfigureAwait(false);
            var ownsFile = kubeconfigPath is null;
            var path = kubeconfigPath ?? Path.Combine(Path.GetTempPath(), $"multicluster-emulator-{Guid.NewGuid():N}.kubeconfig");
            return new EmulatedFleet(clusters, path, ownsFile);
        }
        catch
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
                await start.Result.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Clusters.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
        if (ownsFile && File.Exists(KubeconfigPath)) File.Delete(KubeconfigPath);
    }
}
