using System.Management.Automation;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Infrastructure;

/// <summary>
/// The documents a cmdlet gathers over its ProcessRecord calls, from -Path (resolved against the
/// session's location) or the pipeline, read together once input ends so that a bad document
/// stops the command before any cluster is touched.
/// </summary>
internal sealed class DocumentInputs
{
    private readonly List<string> _paths = new();
    private readonly List<object?> _objects = new();

    public void AddPaths(PSCmdlet cmdlet, IEnumerable<string> paths) =>
        _paths.AddRange(paths.Select(p => cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(p)));

    public void AddObject(object? input)
    {
        if (input is not null) _objects.Add(PowerShellObjects.ToPlain(input));
    }

    /// <summary>The documents of the paths (folders read <paramref name="recurse"/>), or of the piped objects.</summary>
    public IReadOnlyList<KubeObject> Read(bool fromPaths, bool recurse = false) =>
        fromPaths ? ManifestReader.ReadPaths(_paths, recurse) : ManifestReader.ReadObjects(_objects);
}
