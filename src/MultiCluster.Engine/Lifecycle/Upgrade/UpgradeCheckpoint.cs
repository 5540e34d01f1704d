using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Lifecycle.Upgrade;

/// <summary>
/// A rollout's plan and where it stands, as its checkpoint holds them, and the checkpoint's
/// resourceVersion when it was read or last written (null: not written yet). The next write is
/// guarded by it, so of two runs holding the same version only the first one writes.
/// </summary>
public sealed record UpgradeRolloutRecord(IReadOnlyList<FleetUpgradeWave> Plan, FleetUpgradeStatus Status)
{
    public string? ResourceVersion { get; set; }
}

/// <summary>
/// A rollout's checkpoint: the ConfigMap <c>fleet-upgrade-&lt;id&gt;</c> in the management
/// cluster, labelled <see cref="RolloutLabel"/>, holding the plan (<c>plan.json</c>) and each
/// wave's and cluster's state (<c>status.json</c>). It is rewritten after every step, so a run cut
/// off anywhere leaves the last finished step recorded, and at least every
/// <see cref="HeartbeatInterval"/> while a run holds it: a Running checkpoint whose heartbeat is
/// older than <see cref="StaleAfter"/> belonged to a run that died without recording it (a killed
/// process, a lost connection) and reads as Interrupted.
/// </summary>
public sealed partial class UpgradeCheckpoint
{
    public const string NamePrefix = "fleet-upgrade-";
    public const string RolloutLabel = "multicluster.io/upgrade-rollout";
    private const string PlanKey = "plan.json";
    private const string StatusKey = "status.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>How often a running rollout rewrites its checkpoint even when nothing changed.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(30);

    /// <summary>A Running checkpoint not rewritten for this long is taken as interrupted (four missed heartbeats).</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

    private readonly ClusterResources _resources;
    private readonly string _namespace;
    private readonly Func<DateTimeOffset> _clock;
    private ResourceType? _configMaps;

    public UpgradeCheckpoint(IClusterConnector connector, FleetCluster management, string ns, Func<DateTimeOffset>? clock = null)
    {
        _resources = ClusterResources.For(connector.Connect(management), null);
        _namespace = ns;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
    }

    /// <summary>The ConfigMap holding rollout <paramref name="rolloutId"/>.</summary>
    public static string ConfigMapName(string rolloutId) => NamePrefix + rolloutId;

    /// <summary>The id a rollout to <paramref name="kubernetesVersion"/> gets when none is given: v1.33.0 -> v1-33-0.</summary>
    public static string DefaultRolloutId(string kubernetesVersion) => NotLabelCharacters().Replace(kubernetesVersion.ToLowerInvariant(), "-").Trim('-');

    /// <summary>Throws UpgradeRolloutInvalid (bad input) unless <paramref name="rolloutId"/> is a lower-case DNS label of at most 63 characters.</summary>
    public static void ValidateRolloutId(string rolloutId)
    {
        if (!RolloutIdPattern().IsMatch(rolloutId) || rolloutId.Length > 63)
        {
            throw new FleetInputException(LifecycleErrorIds.UpgradeRolloutInvalid, FleetErrorCategory.InvalidArgument, rolloutId,
                $"-RolloutId '{rolloutId}' is not a lower-case DNS label (letters, digits and '-', at most 63 characters, starting and ending with a letter or digit).");
        }
    }

    public async Task<UpgradeRolloutRecord?> ReadAsync(string rolloutId, CancellationToken cancellationToken)
    {
        var configMap = await _resources.Client.GetAsync(await ConfigMapsAsync(cancellationToken).ConfigureAwait(false), _namespace, ConfigMapName(rolloutId), cancellationToken)
            .ConfigureAwait(false);
        return configMap is null ? null : Parse(configMap);
    }

    /// <summary>Every rollout recorded in the namespace, newest first.</summary>
    public async Task<IReadOnlyList<UpgradeRolloutRecord>> ListAsync(CancellationToken cancellationToken)
    {
        var configMaps = await _resources.Client.ListAsync(await ConfigMapsAsync(cancellationToken).ConfigureAwait(false), _namespace, RolloutLabel, cancellationToken)
            .ConfigureAwait(false);
        return configMaps.Select(Parse).OrderByDescending(r => r.Status.Started).ToList();
    }

    /// <summary>
    /// Creates the checkpoint (a new rollout) or replaces the version <paramref name="record"/>
    /// read or last wrote. When another run created or rewrote it in between, nothing is written
    /// and UpgradeRolloutExists says so: two runs of one rollout cannot both proceed.
    /// </summary>
    public async Task WriteAsync(UpgradeRolloutRecord record, CancellationToken cancellationToken)
    {
        record.Status.Updated = _clock();
        var metadata = new JsonObject
        {
            ["name"] = ConfigMapName(record.Status.RolloutId),
            ["namespace"] = _namespace,
            ["labels"] = new JsonObject { [RolloutLabel] = record.Status.RolloutId, ["app.kubernetes.io/managed-by"] = ResourceClient.FieldManager },
        };
        if (record.ResourceVersion is not null) metadata["resourceVersion"] = record.ResourceVersion;
        var configMap = new KubeObject(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = metadata,
            ["data"] = new JsonObject
            {
                [PlanKey] = JsonSerializer.Serialize(record.Plan, Json),
                [StatusKey] = JsonSerializer.Serialize(record.Status, Json),
            },
        });
        var type = await ConfigMapsAsync(cancellationToken).ConfigureAwait(false);
        var response = record.ResourceVersion is null
            ? await _resources.Api.SendAsync(HttpMethod.Post, type.CollectionPath(_namespace) + FieldManagerQuery, configMap.ToJson(), "application/json", cancellationToken)
                .ConfigureAwait(false)
            : await _resources.Api.SendAsync(HttpMethod.Put, type.ObjectPath(_namespace, configMap.Name) + FieldManagerQuery, configMap.ToJson(), "application/json",
                cancellationToken).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.Conflict)
        {
            throw new FleetClusterException(LifecycleErrorIds.UpgradeRolloutExists, FleetErrorCategory.ResourceExists, _resources.Name,
                $"Rollout '{record.Status.RolloutId}' was {(record.ResourceVersion is null ? "started" : "changed")} by another run: its checkpoint "
                + $"{_namespace}/{configMap.Name} is no longer the version this run read; two runs of one rollout cannot both proceed, so this one stops here.",
                recommendedAction: "Run Get-FleetUpgradeStatus to see where the other run stands; resume only after it has stopped.");
        }
        if (!response.IsSuccess) throw ResourceErrors.FromResponse(response, _resources.Name, $"v1 ConfigMap {_namespace}/{configMap.Name}");
        record.ResourceVersion = KubeObject.Parse(response.Utf8Body.Span).ResourceVersion;
    }

    private const string FieldManagerQuery = "?fieldManager=" + ResourceClient.FieldManager;

    private UpgradeRolloutRecord Parse(KubeObject configMap)
    {
        try
        {
            var plan = JsonSerializer.Deserialize<List<FleetUpgradeWave>>(Text(configMap, PlanKey), Json);
            var status = JsonSerializer.Deserialize<FleetUpgradeStatus>(Text(configMap, StatusKey), Json);
            if (plan is not null && status is not null && plan.Count == status.Waves.Count)
                return new UpgradeRolloutRecord(plan, WithoutStaleRun(status)) { ResourceVersion = configMap.ResourceVersion };
        }
        catch (JsonException)
        {
        }
        throw new FleetClusterException(LifecycleErrorIds.UpgradeRolloutInvalid, FleetErrorCategory.InvalidData, _resources.Name,
            $"The rollout checkpoint ConfigMap {_namespace}/{configMap.Name} does not hold a readable {PlanKey} and {StatusKey}.",
            recommendedAction: "Delete the ConfigMap and start the rollout again; clusters already at the version are not upgraded twice.");
    }

    // A run that holds the checkpoint beats every HeartbeatInterval; one that stopped beating was
    // killed or cut off without recording it, so it reads as Interrupted, as a stopped run would.
    private FleetUpgradeStatus WithoutStaleRun(FleetUpgradeStatus status)
    {
        if (status.State != FleetUpgradeState.Running || _clock() - status.Updated <= StaleAfter) return status;
        foreach (var wave in status.Waves.Where(w => w.State == FleetUpgradeState.Running))
        {
            wave.State = FleetUpgradeState.Interrupted;
            foreach (var cluster in wave.Clusters.Where(c => c.State == FleetUpgradeState.Running)) cluster.State = FleetUpgradeState.Interrupted;
        }
        status.State = FleetUpgradeState.Interrupted;
        status.StoppedReason = $"The run stopped without recording it (no heartbeat since {status.Updated:u}; the process was killed or lost the management cluster); -Resume continues it.";
        return status;
    }

    private static string Text(KubeObject configMap, string key) => configMap.Json["data"]?[key] is JsonValue value ? value.GetValue<string>() : "";

    private async Task<ResourceType> ConfigMapsAsync(CancellationToken cancellationToken) =>
        _configMaps ??= await _resources.Discovery.ResolveAsync("v1", "ConfigMap", cancellationToken).ConfigureAwait(false);

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotLabelCharacters();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\z")]
    private static partial Regex RolloutIdPattern();
}
