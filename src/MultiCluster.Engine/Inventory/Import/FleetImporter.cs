using System.Text.Json.Nodes;
using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Reporting;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Inventory.Import;

/// <summary>What Import-Fleet -From asks for.</summary>
public sealed record FleetImportRequest
{
    public required FleetImportSource Source { get; init; }

    /// <summary>The cluster that knows the fleet (a fleet cluster or kubeconfig context); by default the fleet's management cluster.</summary>
    public string? SourceCluster { get; init; }

    /// <summary>Where the source keeps its objects; null: the tool's own namespace (all namespaces for Cluster API).</summary>
    public string? Namespace { get; init; }

    /// <summary>A kubeconfig file to write the credentials to (owner-only); null keeps them in the session's memory.</summary>
    public string? KubeconfigPath { get; init; }

    /// <summary>Overwrite <see cref="KubeconfigPath"/> when it exists.</summary>
    public bool Force { get; init; }

    /// <summary>Add the clusters to the current fleet instead of replacing it; a name the fleet has already is refused.</summary>
    public bool Merge { get; init; }

    /// <summary>A kubeconfig to read the source through, which the session takes only if the import succeeds; null: the session's.</summary>
    public LoadedKubeconfig? Kubeconfig { get; init; }
}

/// <summary>
/// Import-Fleet -From: reads the clusters a Cluster API management cluster, KubeFed, Argo CD or
/// Karmada already knows, checks them all (a bad object or one name twice refuses the whole import
/// before anything changes), puts their credentials into the session's kubeconfig in memory (or
/// an owner-only file), and makes them the session's fleet with the source cluster as its
/// management cluster. Clusters a source knows but cannot hand over are reported as warnings.
/// </summary>
public sealed class FleetImporter(FleetSession session)
{
    /// <summary>The imported clusters as the fleet now holds them: the source cluster first, then by name.</summary>
    public async Task<IReadOnlyList<FleetCluster>> ImportAsync(FleetImportRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Kubeconfig is { } given)
        {
            // Read beside the session, which takes the kubeconfig and the fleet only once everything succeeded:
            // a failed import leaves both as they were. Taken before the clusters are returned, so a cmdlet
            // downstream already sees them.
            using var beside = session.Beside(given);
            var result = await new FleetImporter(beside).ImportAsync(request with { Kubeconfig = null }, cancellationToken).ConfigureAwait(false);
            session.Adopt(beside);
            return result;
        }
        var current = session.GetFleet();
        var source = ResolveSource(current, request);
        var resources = ClusterResources.For(session.Connector.Connect(source), null);
        var objects = new SourceObjects(resources);
        var read = request.Source switch
        {
            FleetImportSource.ClusterApi => await new ClusterApiFleetSource(session.Connector)
                .ReadAsync(source, objects, resources.Discovery, request.Namespace, cancellationToken).ConfigureAwait(false),
            FleetImportSource.KubeFed => await KubeFedFleetSource.ReadAsync(objects, request.Namespace, cancellationToken).ConfigureAwait(false),
            FleetImportSource.ArgoCD => await ArgoCdFleetSource.ReadAsync(objects, request.Namespace, cancellationToken).ConfigureAwait(false),
            FleetImportSource.Karmada => await KarmadaFleetSource.ReadAsync(objects, cancellationToken).ConfigureAwait(false),
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.Source, null),
        };
        foreach (var reason in read.NotImportable) FleetCallContext.Reporter.Warning(reason);
        if (read.Clusters.Count == 0)
        {
            throw new FleetInputException(FleetImportErrorIds.FleetSourceEmpty, FleetErrorCategory.ObjectNotFound, source.Name,
                $"{request.Source} on '{source.Name}' knows no cluster that can be imported{(request.Namespace is null ? "" : $" in namespace '{request.Namespace}'")}; the session's fleet is unchanged.",
                recommendedAction: "Check -SourceCluster and -Namespace.");
        }
        CheckNames(read.Clusters);
        read = read with { Clusters = read.Clusters.OrderBy(c => c.Cluster.Name, StringComparer.OrdinalIgnoreCase).ToList() };

        var path = request.KubeconfigPath is null ? null : Path.GetFullPath(request.KubeconfigPath);
        var imported = read.Clusters.Select(c => c.Cluster with { Kubeconfig = path }).ToList();
        // The source is the fleet's management cluster, unless it knows itself under its own name.
        var management = imported.FindIndex(c => string.Equals(c.Name, source.Name, StringComparison.OrdinalIgnoreCase));
        if (management >= 0) imported[management] = imported[management] with { Role = FleetClusterRole.Management };
        else if (!request.Merge || !current.Clusters.Any(c => c.Name.Equals(source.Name, StringComparison.OrdinalIgnoreCase)))
            imported.Insert(0, source with { Role = FleetClusterRole.Management, Aliases = [] });

        var fleetName = request.Merge ? current.Name : source.Name;
        var members = request.Merge ? Merged(current, imported, read.Clusters) : imported;
        var fleet = new Fleet { Name = fleetName, SourcePath = request.Merge ? current.SourcePath : $"{request.Source} on {source.Name}", Clusters = members.Select(c => c with { Fleet = fleetName }).ToList(), Architecture = request.Merge ? current.Architecture : null };

        var kubeconfig = ImportedKubeconfig.Write(read.Clusters);
        if (path is not null)
        {
            WriteKubeconfig(path, kubeconfig, request.Force);
            session.SetFleet(fleet, inMemoryKubeconfig: null);
        }
        else
        {
            session.SetFleet(fleet, inMemoryKubeconfig: kubeconfig);
        }
        FleetCallContext.Reporter.Verbose(
            $"Imported {read.Clusters.Count} clusters from {request.Source} on '{source.Name}'; their credentials are {(path is null ? "in the session's memory" : $"in '{path}'")}.");
        var names = imported.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return fleet.Clusters.Where(c => names.Contains(c.Name)).ToList();
    }

    private FleetCluster ResolveSource(Fleet current, FleetImportRequest request)
    {
        var runs = request.Source switch
        {
            FleetImportSource.ClusterApi => "Cluster API",
            FleetImportSource.ArgoCD => "Argo CD",
            _ => request.Source.ToString(),
        };
        var name = request.SourceCluster;
        if (!string.IsNullOrEmpty(name))
        {
            if (current.Clusters.FirstOrDefault(c => IsNamed(c, name)) is { } known) return known;
            // A kubeconfig context outside the fleet will do: the cluster that knows the fleet often is not in it yet.
            if (session.ContextNames.Contains(name, StringComparer.Ordinal)) return new FleetCluster { Name = name, Context = name, Role = FleetClusterRole.Management };
        }
        return ManagementClusters.Resolve(current.Clusters, name, runs);
    }

    /// <summary>One cluster name from two objects of the source refuses the import, naming both.</summary>
    private static void CheckNames(IReadOnlyList<ImportedCluster> clusters)
    {
        foreach (var group in clusters.GroupBy(c => c.Cluster.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            throw new FleetInputException(FleetImportErrorIds.FleetClusterNameConflict, FleetErrorCategory.ResourceExists, group.Key,
                $"Two clusters of the source are named '{group.Key}': {string.Join(" and ", group.Select(c => c.Origin))}. Nothing was imported.",
                recommendedAction: "Import one namespace at a time with -Namespace, or rename one of them at the source.");
        }
    }

    /// <summary>The current fleet with the imported clusters added; a name (or alias) the fleet already has is refused, naming both.</summary>
    private static IReadOnlyList<FleetCluster> Merged(Fleet current, IReadOnlyList<FleetCluster> imported, IReadOnlyList<ImportedCluster> origins)
    {
        foreach (var cluster in imported)
        {
            if (current.Clusters.FirstOrDefault(c => IsNamed(c, cluster.Name)) is not { } existing) continue;
            var origin = origins.FirstOrDefault(o => o.Cluster.Name.Equals(cluster.Name, StringComparison.OrdinalIgnoreCase))?.Origin ?? $"cluster '{cluster.Name}'";
            throw new FleetInputException(FleetImportErrorIds.FleetClusterNameConflict, FleetErrorCategory.ResourceExists, cluster.Name,
                $"{origin} is named '{cluster.Name}', which is already {(existing.Name.Equals(cluster.Name, StringComparison.OrdinalIgnoreCase) ? "the name" : "an alias")} of cluster '{existing.Name}' of fleet '{current.Name}'. Nothing was imported.",
                recommendedAction: "Import without -Merge to replace the fleet, or remove or rename one of the two.");
        }
        return current.Clusters.Concat(imported).ToList();
    }

    private static bool IsNamed(FleetCluster cluster, string name) =>
        cluster.Name.Equals(name, StringComparison.OrdinalIgnoreCase) || cluster.Aliases.Contains(name, StringComparer.OrdinalIgnoreCase);

    private static void WriteKubeconfig(string path, string kubeconfig, bool force)
    {
        if (File.Exists(path) && !force)
        {
            throw new FleetInputException(FleetImportErrorIds.FleetFileExists, FleetErrorCategory.ResourceExists, path,
                $"The kubeconfig file '{path}' exists; nothing was imported.", recommendedAction: "Give -Force to replace it, or name another file.");
        }
        try
        {
            OwnerOnlyFile.Write(path, kubeconfig);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FleetInputException(FleetErrorIds.OutputPathNotWritable, FleetErrorCategory.PermissionDenied, path,
                $"Cannot write the kubeconfig '{path}': {e.Message}");
        }
    }
}

/// <summary>The kubeconfig of imported clusters: one cluster, user and context per cluster, each named after it.</summary>
internal static class ImportedKubeconfig
{
    public static string Write(IEnumerable<ImportedCluster> clusters)
    {
        var list = clusters.ToList();
        return YamlWriter.Write(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Config",
            ["clusters"] = new JsonArray(list.Select(c => (JsonNode?)new JsonObject { ["name"] = c.Cluster.Name, ["cluster"] = c.Endpoint.DeepClone() }).ToArray()),
            ["users"] = new JsonArray(list.Select(c => (JsonNode?)new JsonObject { ["name"] = c.Cluster.Name, ["user"] = c.User.DeepClone() }).ToArray()),
            ["contexts"] = new JsonArray(list.Select(c => (JsonNode?)new JsonObject
            {
                ["name"] = c.Cluster.Name,
                ["context"] = new JsonObject { ["cluster"] = c.Cluster.Name, ["user"] = c.Cluster.Name },
            }).ToArray()),
        });
    }
}
