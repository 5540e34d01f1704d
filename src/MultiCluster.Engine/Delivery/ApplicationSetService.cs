using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Delivery;

/// <summary>
/// Puts an ApplicationSet into Argo CD's namespace on the management cluster (server-side apply,
/// so the real ApplicationSet CRD validates it), and reads back the Applications Argo CD
/// generated, with their sync and health status.
/// </summary>
public sealed class ApplicationSetService
{
    private readonly IClusterConnector _connector;

    public ApplicationSetService(IClusterConnector connector) => _connector = connector;

    private ResourceClient Client(FleetCluster cluster) => ClusterResources.For(_connector.Connect(cluster), null).Client;

    /// <summary>
    /// Applies (or with whatIf previews with a server-side dry run) the ApplicationSet; Created, Configured or Unchanged;
    /// within <paramref name="options"/>' timeout (ClusterTimeout past it).
    /// </summary>
    public Task<FleetResourceResult> ApplyAsync(FleetCluster management, KubeObject applicationSet, bool whatIf, FanOutOptions? options = null,
        CancellationToken cancellationToken = default) =>
        FleetRunner.RunOneAsync(management, (options ?? new FanOutOptions()) with { Activity = "Applying the ApplicationSet" },
            token => ApplyOnceAsync(management, applicationSet, whatIf, token), cancellationToken);

    private async Task<FleetResourceResult> ApplyOnceAsync(FleetCluster management, KubeObject applicationSet, bool whatIf, CancellationToken cancellationToken)
    {
        var client = Client(management);
        var ns = applicationSet.Namespace!;
        if (await client.GetAsync(DeliveryResourceTypes.Namespace, null, ns, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new FleetInputException(DeliveryErrorIds.ArgoNamespaceNotFound, FleetErrorCategory.ObjectNotFound, management.Name,
                $"The management cluster '{management.Name}' has no namespace '{ns}', where Argo CD reads ApplicationSets. Nothing was changed.",
                recommendedAction: "Install Argo CD there first, or name its namespace with -ArgoNamespace.");
        }
        var live = await client.GetAsync(DeliveryResourceTypes.ApplicationSet, ns, applicationSet.Name, cancellationToken).ConfigureAwait(false);
        var applied = await client.ApplyAsync(DeliveryResourceTypes.ApplicationSet, applicationSet, forceConflicts: true, dryRun: whatIf, cancellationToken)
            .ConfigureAwait(false);
        var same = live is not null && JsonNode.DeepEquals(live.Json["spec"], applied.Object.Json["spec"])
            && JsonNode.DeepEquals(live.Json["metadata"]?["labels"], applied.Object.Json["metadata"]?["labels"]);
        var action = (live, same, whatIf) switch
        {
            (null, _, true) => FleetResourceAction.WouldCreate,
            (null, _, false) => FleetResourceAction.Created,
            (_, true, _) => FleetResourceAction.Unchanged,
            (_, false, true) => FleetResourceAction.WouldChange,
            _ => FleetResourceAction.Configured,
        };
        return new FleetResourceResult
        {
            Cluster = management.Name,
            ApiVersion = applicationSet.ApiVersion,
            Kind = applicationSet.Kind,
            Namespace = ns,
            Name = applicationSet.Name,
            Action = action,
            Message = action switch
            {
                FleetResourceAction.Unchanged => "The ApplicationSet is as asked.",
                FleetResourceAction.WouldCreate or FleetResourceAction.WouldChange => "The server accepted it in a dry run.",
                _ => "Argo CD generates the Applications from it.",
            },
        };
    }

    /// <summary>
    /// The Applications in Argo CD's namespace (only those of <paramref name="applicationSet"/> when
    /// given), one per cluster and application, their cluster found by destination name or server;
    /// read within <paramref name="options"/>' timeout (ClusterTimeout past it).
    /// </summary>
    public async Task<IReadOnlyList<FleetApplication>> GetApplicationsAsync(FleetCluster management, string argoNamespace, string? applicationSet,
        FanOutOptions? options = null, CancellationToken cancellationToken = default) =>
        await FleetRunner.RunOneAsync(management, (options ?? new FanOutOptions()) with { Activity = "Reading Argo CD Applications" },
            token => ReadApplicationsAsync(management, argoNamespace, applicationSet, token), cancellationToken).ConfigureAwait(false);

    private async Task<IReadOnlyList<FleetApplication>> ReadApplicationsAsync(FleetCluster management, string argoNamespace, string? applicationSet,
        CancellationToken cancellationToken)
    {
        var client = Client(management);
        var selector = applicationSet is null ? null : $"{ApplicationSetDefinition.ApplicationSetLabel}={applicationSet}";
        var applications = await client.ListAsync(DeliveryResourceTypes.Application, argoNamespace, selector, cancellationToken).ConfigureAwait(false);
        var secrets = await client.ListAsync(DeliveryResourceTypes.Secret, argoNamespace, $"{ArgoClusterSecret.SecretTypeLabel}={ArgoClusterSecret.SecretTypeCluster}", cancellationToken)
            .ConfigureAwait(false);
        var byServer = secrets.Select(s => (Server: ArgoClusterSecret.Data(s, "server")?.TrimEnd('/'), Name: ArgoClusterSecret.Data(s, "name")))
            .Where(s => s.Server is not null && s.Name is not null).GroupBy(s => s.Server!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Name!, StringComparer.Ordinal);
        var found = new List<FleetApplication>();
        foreach (var app in applications.OrderBy(a => a.Name, StringComparer.Ordinal))
        {
            var destination = app.Json["spec"]?["destination"];
            var server = destination?["server"]?.ToString()?.TrimEnd('/');
            var cluster = destination?["name"]?.ToString() is { Length: > 0 } name ? name
                : server is not null && byServer.TryGetValue(server, out var registered) ? registered
                : server == "https://kubernetes.default.svc" ? management.Name
                : server ?? "";
            var status = app.Json["status"];
            var message = (status?["conditions"] as JsonArray)?.FirstOrDefault()?["message"]?.ToString()
                ?? status?["operationState"]?["message"]?.ToString() ?? "";
            found.Add(new FleetApplication
            {
                Cluster = cluster,
                Name = app.Name,
                ApplicationSet = app.Labels.GetValueOrDefault(ApplicationSetDefinition.ApplicationSetLabel),
                ManagementCluster = management.Name,
                Namespace = destination?["namespace"]?.ToString(),
                SyncStatus = status?["sync"]?["status"]?.ToString() ?? "",
                HealthStatus = status?["health"]?["status"]?.ToString() ?? "",
                Revision = status?["sync"]?["revision"]?.ToString(),
                Message = message,
            });
        }
        return found;
    }
}
