using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Mesh;

/// <summary>What Export-FleetService asks: the service, where it is exported, the cluster set, and whether to wait.</summary>
public sealed record ServiceExportRequest
{
    public required string Namespace { get; init; }
    public required string Name { get; init; }

    /// <summary>The clusters that export the service (each gets a ServiceExport).</summary>
    public required IReadOnlyList<FleetCluster> Exporters { get; init; }

    /// <summary>The cluster set: every member should end up with a ServiceImport.</summary>
    public required IReadOnlyList<FleetCluster> Members { get; init; }

    /// <summary>Wait until every other member imports the service and the controller has written its conditions.</summary>
    public bool Wait { get; init; }
    public TimeSpan WaitTimeout { get; init; } = TimeSpan.FromMinutes(5);
    public bool WhatIf { get; init; }
    public FanOutOptions FanOut { get; init; } = new();
}

/// <summary>
/// Exports a Service to the cluster set through the Multi-Cluster Services API: a ServiceExport
/// (multicluster.x-k8s.io/v1alpha1, same name and namespace as the Service) in each exporting
/// cluster; the MCS controller of the set then gives every member a ServiceImport and writes the
/// export's Valid, Ready and Conflict conditions, which are read back as the result.
/// </summary>
public sealed class McsServiceExports(IClusterConnector connector)
{
    public const string ApiVersion = "multicluster.x-k8s.io/v1alpha1";
    internal static readonly ResourceType ServiceExport = new("multicluster.x-k8s.io", "v1alpha1", "ServiceExport", "serviceexports", true);
    internal static readonly ResourceType ServiceImport = new("multicluster.x-k8s.io", "v1alpha1", "ServiceImport", "serviceimports", true);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    /// <summary>Refuses names that are not DNS labels and a cluster given twice, before anything is changed.</summary>
    public static void Validate(ServiceExportRequest request)
    {
        foreach (var (value, what) in new[] { (request.Name, "-Name"), (request.Namespace, "-Namespace") })
            if (Resources.KubernetesNames.DnsLabelProblem(value) is not null)
                throw new FleetInputException(MeshErrorIds.ServiceNameInvalid, FleetErrorCategory.InvalidArgument, value,
                    $"'{value}' ({what}) is not a DNS label (lower-case letters, digits and '-', at most 63), as a Service and its ServiceExport need. Nothing was changed.");
        var twice = request.Exporters.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
            throw new FleetInputException(MeshErrorIds.ClusterDuplicate, FleetErrorCategory.InvalidArgument, twice.Key,
                $"Cluster '{twice.Key}' is given more than once. Nothing was changed.", recommendedAction: "Name each cluster once.");
    }

    /// <summary>
    /// Writes every missing ServiceExport first, then reads each written one back (with Wait, until
    /// every other member imports it listing all exporters, or time is up): an exporter reporting
    /// before the others have written would miss the conflict their exports cause.
    /// </summary>
    public async IAsyncEnumerable<FleetServiceExport> ExportAsync(ServiceExportRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Validate(request);
        var written = new ConcurrentDictionary<string, FleetResourceAction>(StringComparer.Ordinal);
        await foreach (var failed in FleetRunner.RunAsync<FleetServiceExport>(request.Exporters, request.FanOut with { Activity = "Exporting services" },
            async (cluster, sink, token) =>
            {
                var (action, export) = await WriteAsync(cluster, request, token).ConfigureAwait(false);
                if (!request.WhatIf)
                {
                    written[cluster.Name] = action;
                    return;
                }
                sink.Emit(new FleetServiceExport
                {
                    Cluster = cluster.Name, Namespace = request.Namespace, Name = request.Name, Action = action,
                    Status = export is null ? FleetServiceExportStatus.Pending : StatusOf(export).Status,
                    Message = export is null ? $"Would create {Reference(request)}." : "Already exported.",
                });
            },
            (cluster, error, _) => [Failed(cluster, request, error)],
            cancellationToken).ConfigureAwait(false))
        {
            yield return failed;
        }
        if (request.WhatIf) yield break;

        var exporters = request.Exporters.Where(c => written.ContainsKey(c.Name)).ToList();
        await foreach (var result in FleetRunner.RunAsync<FleetServiceExport>(exporters,
            request.FanOut with { Activity = request.Wait ? "Waiting for the service imports" : "Reading the service exports" },
            async (cluster, sink, token) => sink.Emit(await ReadAsync(cluster, written[cluster.Name], request, exporters.Count, token).ConfigureAwait(false)),
            (cluster, error, _) => [Failed(cluster, request, error)],
            cancellationToken).ConfigureAwait(false))
        {
            yield return result;
        }
    }

    private static string Reference(ServiceExportRequest request) => $"{ApiVersion} ServiceExport {request.Namespace}/{request.Name}";

    private static FleetServiceExport Failed(FleetCluster cluster, ServiceExportRequest request, FleetException error) => new()
    {
        Cluster = cluster.Name, Namespace = request.Namespace, Name = request.Name, Action = FleetResourceAction.Failed,
        Status = FleetServiceExportStatus.Failed, Message = error.Message, Error = error,
    };

    /// <summary>Checks the Service and that the MCS API is served, then creates the ServiceExport unless it exists (or WhatIf).</summary>
    private async Task<(FleetResourceAction Action, KubeObject? Export)> WriteAsync(FleetCluster cluster, ServiceExportRequest request, CancellationToken token)
    {
        var resources = ClusterResources.For(connector.Connect(cluster), null);
        var service = await resources.Client.GetAsync(MeshResourceTypes.Service, request.Namespace, request.Name, token).ConfigureAwait(false)
            ?? throw new FleetClusterException(FleetErrorIds.ResourceNotFound, FleetErrorCategory.ObjectNotFound, cluster.Name,
                $"Service {request.Namespace}/{request.Name} does not exist on cluster '{cluster.Name}'; nothing was exported there.",
                recommendedAction: "Deploy the Service first, or leave this cluster out of -Cluster.", objectRef: $"v1 Service {request.Namespace}/{request.Name}");
        if ((string?)service.Json["spec"]?["type"] == "ExternalName")
            throw new FleetClusterException(MeshErrorIds.ServiceNotExportable, FleetErrorCategory.InvalidArgument, cluster.Name,
                $"Service {request.Namespace}/{request.Name} on cluster '{cluster.Name}' is of type ExternalName, which the MCS API cannot export; nothing was exported there.",
                objectRef: $"v1 Service {request.Namespace}/{request.Name}");
        // A clear error where no MCS implementation is installed, rather than a bare 404.
        await resources.Discovery.ResolveAsync(ApiVersion, "ServiceExport", token).ConfigureAwait(false);

        var export = await resources.Client.GetAsync(ServiceExport, request.Namespace, request.Name, token).ConfigureAwait(false);
        if (export is not null) return (FleetResourceAction.Unchanged, export);
        if (request.WhatIf) return (FleetResourceAction.WouldCreate, null);
        var wanted = new KubeObject(new JsonObject
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = "ServiceExport",
            ["metadata"] = new JsonObject
            {
                ["name"] = request.Name, ["namespace"] = request.Namespace,
                ["labels"] = new JsonObject { [KubeObject.ManagedByLabel] = KubeObject.ManagedByValue },
            },
        });
        return (FleetResourceAction.Created, (await resources.Client.ApplyAsync(ServiceExport, wanted, false, false, token).ConfigureAwait(false)).Object);
    }

    /// <summary>The export as the MCS controller reports it, and who imports it; with Wait, once settled or time is up.</summary>
    private async Task<FleetServiceExport> ReadAsync(FleetCluster cluster, FleetResourceAction action, ServiceExportRequest request, int exporters, CancellationToken token)
    {
        var client = ClusterResources.For(connector.Connect(cluster), null).Client;
        var deadline = DateTimeOffset.UtcNow + request.WaitTimeout;
        while (true)
        {
            // Imports first: a member's MCS controller writes its own exports' conditions before its
            // ServiceImport, so once this cluster's import lists every exporter, the export read after
            // it carries conditions that saw them all (a port conflict with a later exporter included).
            var (imported, missing) = await ImportsAsync(request, exporters, token).ConfigureAwait(false);
            var export = await client.GetAsync(ServiceExport, request.Namespace, request.Name, token).ConfigureAwait(false);
            var (status, conflict, conditionMessage) = export is null
                ? (FleetServiceExportStatus.Pending, null, "The ServiceExport is gone.")
                : StatusOf(export);
            var waitingFor = request.Members.Select(m => m.Name).Where(missing.Contains).ToList();
            var settled = status is not FleetServiceExportStatus.Pending && waitingFor.Count == 0;
            if (!request.Wait || settled || status == FleetServiceExportStatus.Invalid || DateTimeOffset.UtcNow >= deadline)
            {
                var error = request.Wait && !settled && status != FleetServiceExportStatus.Invalid
                    ? new FleetClusterException(MeshErrorIds.ServiceImportMissing, FleetErrorCategory.OperationTimeout, cluster.Name,
                        waitingFor.Count > 0
                            ? $"After {request.WaitTimeout.TotalSeconds:0} s no ServiceImport {request.Namespace}/{request.Name} listing every exporter exists on {string.Join(", ", waitingFor)}."
                            : $"After {request.WaitTimeout.TotalSeconds:0} s no MCS controller has written the conditions of {Reference(request)} on '{cluster.Name}'.",
                        recommendedAction: "Check that an MCS implementation (Submariner Lighthouse, Cilium MCS support, ...) runs on every member and that the namespace exists there.",
                        objectRef: Reference(request))
                    : null;
                return new FleetServiceExport
                {
                    Cluster = cluster.Name, Namespace = request.Namespace, Name = request.Name, Action = action,
                    Status = status, ConflictReason = conflict, ImportedBy = imported, MissingImport = missing,
                    Message = error?.Message ?? conditionMessage, Error = error,
                };
            }
            await Task.Delay(Poll, token).ConfigureAwait(false);
        }
    }

    /// <summary>The export's standing from its conditions: Valid False, Conflict True, Ready True, or nothing yet.</summary>
    internal static (FleetServiceExportStatus Status, string? ConflictReason, string Message) StatusOf(KubeObject export)
    {
        var conditions = (export.Json["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
            .ToDictionary(c => (string?)c["type"] ?? "", StringComparer.Ordinal);
        string Text(JsonObject c) => $"{(string?)c["type"]} {(string?)c["status"]} ({(string?)c["reason"]}): {(string?)c["message"]}".TrimEnd(':', ' ');
        if (conditions.GetValueOrDefault("Valid") is { } valid && (string?)valid["status"] == "False")
            return (FleetServiceExportStatus.Invalid, null, Text(valid));
        if (conditions.GetValueOrDefault("Conflict") is { } conflict && (string?)conflict["status"] == "True")
            return (FleetServiceExportStatus.Conflict, (string?)conflict["reason"], Text(conflict));
        if (conditions.GetValueOrDefault("Ready") is { } ready && (string?)ready["status"] == "True")
            return (FleetServiceExportStatus.Exported, null, Text(ready));
        return (FleetServiceExportStatus.Pending, null, "No MCS controller has reported on the export yet.");
    }

    /// <summary>
    /// Which members hold a ServiceImport of the service listing at least <paramref name="exporters"/>
    /// exporting clusters (an import listing fewer has not seen every export of this request yet),
    /// and which do not; unreachable members count as missing.
    /// </summary>
    private async Task<(IReadOnlyList<string> Imported, IReadOnlyList<string> Missing)> ImportsAsync(ServiceExportRequest request, int exporters, CancellationToken token)
    {
        async Task<KubeObject?> Read(FleetCluster cluster, ResourceType type)
        {
            try
            {
                return await ClusterResources.For(connector.Connect(cluster), null).Client.GetAsync(type, request.Namespace, request.Name, token).ConfigureAwait(false);
            }
            catch (FleetException)
            {
                return null;
            }
        }
        var imports = await Task.WhenAll(request.Members.Select(m => Read(m, ServiceImport))).ConfigureAwait(false);
        var found = imports.Select(i => i is not null && (i.Json["status"]?["clusters"] as JsonArray ?? []).Count >= exporters).ToList();
        return (request.Members.Where((_, i) => found[i]).Select(m => m.Name).ToList(),
                request.Members.Where((_, i) => !found[i]).Select(m => m.Name).ToList());
    }
}
