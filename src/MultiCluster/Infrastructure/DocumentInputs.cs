using System.Management.Automation;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Infrastructure;

/// <summary>
/// The documents a cmdlet gathers over its ProcessRecord calls, from -Path (resolved against the
/// session's location) or the pipeline, read together once input ends so that a bad document
/// stops the command before any cluster is touched. A piped FleetResource remembers the cluster
/// it was read from, so that it goes back there and nowhere else.
/// </summary>
internal sealed class DocumentInputs
{
    private readonly List<string> _paths = new();
    private readonly List<(string? Cluster, object? Plain)> _objects = new();

    public void AddPaths(PSCmdlet cmdlet, IEnumerable<string> paths) =>
        _paths.AddRange(paths.Select(p => cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(p)));

    /// <summary>Adds a piped object; returns the cluster it belongs to, when it was read from one.</summary>
    public string? AddObject(object? input)
    {
        if (input is null) return null;
        var owner = OwningCluster(input);
        _objects.Add((owner, PowerShellObjects.ToPlain(input)));
        return owner;
    }

    private List<(string? Cluster, IReadOnlyList<KubeObject> Objects)> _read = new();

    /// <summary>
    /// Reads every document of the paths (folders read <paramref name="recurse"/>) or of the piped
    /// objects, so that a bad one stops the command before any cluster is touched.
    /// </summary>
    public IReadOnlyList<KubeObject> Read(bool fromPaths, bool recurse = false)
    {
        _read = fromPaths
            ? [(null, ManifestReader.ReadPaths(_paths, recurse))]
            : _objects.Select(o => (o.Cluster, ManifestReader.ReadObjects([o.Plain]))).ToList();
        return _read.SelectMany(r => r.Objects).ToList();
    }

    /// <summary>
    /// After <see cref="Read"/>: each selected cluster's objects, those piped from it and every
    /// document that came from no cluster. Clusters left with nothing are left out.
    /// </summary>
    public IReadOnlyList<ClusterObjects> ByCluster(IReadOnlyList<FleetCluster> clusters)
    {
        var everywhere = _read.Where(r => r.Cluster is null).SelectMany(r => r.Objects).ToList();
        return clusters
            .Select(c => new ClusterObjects(c, _read
                .Where(r => r.Cluster is { } owner && (string.Equals(owner, c.Name, StringComparison.OrdinalIgnoreCase)
                    || c.Aliases.Contains(owner, StringComparer.OrdinalIgnoreCase)))
                .SelectMany(r => r.Objects).Concat(everywhere).ToList()))
            .Where(w => w.Objects.Count > 0)
            .ToList();
    }

    private static string? OwningCluster(object input) =>
        (input is PSObject wrapped ? wrapped.BaseObject : input) is FleetResource resource ? resource.Cluster : null;
}
