using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Recovery;

/// <summary>
/// A Velero Schedule to put on clusters: its cron (given, or derived from an RPO) and the
/// BackupSpec template. Construct through <see cref="Create"/>, which refuses bad input.
/// </summary>
public sealed record BackupScheduleDefinition
{
    public required string Name { get; init; }
    public required string Schedule { get; init; }
    public string Namespace { get; init; } = VeleroKinds.DefaultNamespace;
    public IReadOnlyList<string> IncludedNamespaces { get; init; } = [];
    public IReadOnlyList<string> ExcludedResources { get; init; } = VeleroKinds.DefaultExcludedResources;
    public IReadOnlyDictionary<string, string> MatchLabels { get; init; } = new Dictionary<string, string>();
    public TimeSpan? Ttl { get; init; }
    public string? StorageLocation { get; init; }
    public IReadOnlyList<string> VolumeSnapshotLocations { get; init; } = [];
    public bool? SnapshotVolumes { get; init; }

    /// <summary>
    /// Checks the input: exactly one of <paramref name="schedule"/> and <paramref name="rpo"/>, a
    /// cron that parses, an achievable RPO, a TTL that is not negative, a valid label selector.
    /// </summary>
    public static BackupScheduleDefinition Create(string name, string? schedule, TimeSpan? rpo, string? labelSelector,
        TimeSpan? ttl, Func<BackupScheduleDefinition, BackupScheduleDefinition>? configure = null)
    {
        if (Resources.KubernetesNames.DnsSubdomainProblem(name) is { } nameProblem)
        {
            throw new FleetInputException(RecoveryErrorIds.ScheduleInvalid, FleetErrorCategory.InvalidArgument, name,
                $"Schedule '{name}': the name {nameProblem}, so the API server would refuse it. Nothing was changed.");
        }
        if (schedule is null == rpo is null)
        {
            throw new FleetInputException(RecoveryErrorIds.ScheduleInvalid, FleetErrorCategory.InvalidArgument, name,
                $"Schedule '{name}': give either -Schedule (a cron) or -Rpo (the recovery point objective), not {(schedule is null ? "neither" : "both")}.");
        }
        if (ttl < TimeSpan.Zero)
        {
            throw new FleetInputException(RecoveryErrorIds.TtlInvalid, FleetErrorCategory.InvalidArgument, name,
                $"Schedule '{name}': the TTL {ttl} is negative; give how long Velero keeps each backup, e.g. 30 days.");
        }
        var cron = schedule ?? BackupCron.FromRpo(rpo!.Value);
        BackupCron.Parse(cron, name);
        var definition = new BackupScheduleDefinition
        {
            Name = name,
            Schedule = cron,
            Ttl = ttl,
            MatchLabels = ParseMatchLabels(labelSelector, name),
        };
        return configure is null ? definition : configure(definition);
    }

    /// <summary>The Schedule object (velero.io/v1), labelled as the module's.</summary>
    public KubeObject Render()
    {
        var template = new JsonObject();
        if (IncludedNamespaces.Count > 0) template["includedNamespaces"] = Array(IncludedNamespaces);
        if (ExcludedResources.Count > 0) template["excludedResources"] = Array(ExcludedResources);
        if (MatchLabels.Count > 0)
            template["labelSelector"] = new JsonObject { ["matchLabels"] = new JsonObject(MatchLabels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))) };
        if (SnapshotVolumes is { } snapshot) template["snapshotVolumes"] = snapshot;
        if (StorageLocation is not null) template["storageLocation"] = StorageLocation;
        if (Ttl is { } ttl) template["ttl"] = VeleroDuration.Format(ttl);
        if (VolumeSnapshotLocations.Count > 0) template["volumeSnapshotLocations"] = Array(VolumeSnapshotLocations);
        return new KubeObject(new JsonObject
        {
            ["apiVersion"] = VeleroKinds.ApiVersion,
            ["kind"] = "Schedule",
            ["metadata"] = new JsonObject
            {
                ["name"] = Name,
                ["namespace"] = Namespace,
                ["labels"] = new JsonObject { [KubeObject.ManagedByLabel] = KubeObject.ManagedByValue },
            },
            ["spec"] = new JsonObject
            {
                ["schedule"] = Schedule,
                ["template"] = template,
            },
        });
    }

    private static JsonArray Array(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)v).ToArray());

    // Velero's Schedule takes a metav1.LabelSelector; equality terms (a=b,c=d) map to matchLabels.
    private static Dictionary<string, string> ParseMatchLabels(string? selector, string name)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(selector)) return labels;
        foreach (var term in selector.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = term.Split(term.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[0].Contains('!', StringComparison.Ordinal))
            {
                throw new FleetInputException(FleetErrorIds.SelectorInvalid, FleetErrorCategory.InvalidArgument, name,
                    $"Schedule '{name}': the label selector term '{term}' is not key=value; Velero schedules here take equality terms only.");
            }
            labels[parts[0]] = parts[1];
        }
        return labels;
    }
}
