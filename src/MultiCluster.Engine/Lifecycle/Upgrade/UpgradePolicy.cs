using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cronos;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Lifecycle.Upgrade;

/// <summary>One wave of an upgrade policy, as written (see <see cref="UpgradePolicy"/>).</summary>
public sealed record UpgradePolicyWave(
    string Name,
    IReadOnlyList<WildcardName> Patterns,
    CronExpression? Schedule,
    string? ScheduleText,
    TimeZoneInfo TimeZone,
    TimeSpan Window,
    FleetUpgradeStrategy Strategy,
    string MaxUnavailable,
    FleetUpgradeApproval Approval,
    IReadOnlyList<string> PreChecks,
    IReadOnlyList<string> PostChecks)
{
    /// <summary>The field layout's <c>track</c> (stable or latest); null when the policy does not say.</summary>
    public string? Track { get; init; }
}

/// <summary>
/// A fleet upgrade policy: waves of cluster name patterns, in the order they run.
/// <code>
/// timeZone: Europe/Berlin           # optional, for every wave's schedule (default UTC)
/// waves:
///   - name: dev
///     clusters: [dev-*]             # name patterns with wildcards
///     schedule: "0 2 * * 1-5"       # cron (5 fields): when the wave's window opens
///     window: 4h                    # how long it stays open (default 4h)
///     strategy: RollingUpdate       # or OnDelete
///     maxUnavailable: 1             # clusters upgraded at once: a count or a percentage (25%)
///     approval: auto                # or manual
///     preChecks: [clusterHealth, versionSkew]
///     postChecks: [clusterHealth]
/// </code>
/// The same document is accepted as the <c>policy.yaml</c> key of a ConfigMap. Unknown keys are
/// errors, so a misspelt field does not silently fall back to a default.
/// <para>
/// The layout the field's runbooks use is read into the same waves, one per entry in order:
/// <code>
/// clusters:
///   - name: "dev-*"                 # a name glob
///     upgrade:
///       schedule: "0 2 * * SUN"     # cron; day names allowed
///       strategy: RollingUpdate
///       max_unavailable: 1
///       pre_checks: [kube-bench, pod-security-check]
///       post_checks: [smoke-tests]
///       auto: true                  # no approval and no window
///       approval: manual            # or ask before the wave
///       track: stable               # stable or latest
/// </code>
/// Check names the module has built in (cluster-health, version-skew, pod-security-check) become
/// its own checks; any other name must be given with -Check.
/// </para>
/// </summary>
public sealed partial class UpgradePolicy
{
    public const string ConfigMapKey = "policy.yaml";
    private static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(4);
    private static readonly string[] TopLevelKeys = ["timeZone", "waves"];
    private static readonly string[] WaveKeys =
        ["name", "clusters", "schedule", "timeZone", "window", "strategy", "maxUnavailable", "approval", "preChecks", "postChecks"];

    private static readonly string[] FieldEntryKeys = ["name", "upgrade"];
    private static readonly string[] FieldUpgradeKeys =
        ["schedule", "strategy", "max_unavailable", "pre_checks", "post_checks", "auto", "approval", "track", "window", "timeZone"];

    /// <summary>The field's check names that are built-in checks, by the built-in's name.</summary>
    private static readonly Dictionary<string, string> FieldCheckNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["cluster-health"] = UpgradeRollout.ClusterHealthCheck,
        ["health-check"] = UpgradeRollout.ClusterHealthCheck,
        ["version-skew"] = UpgradeRollout.VersionSkewCheck,
        ["pod-security-check"] = UpgradeRollout.PodSecurityCheck,
        ["pod-security"] = UpgradeRollout.PodSecurityCheck,
    };

    private UpgradePolicy(IReadOnlyList<UpgradePolicyWave> waves) => Waves = waves;

    public IReadOnlyList<UpgradePolicyWave> Waves { get; }

    public static UpgradePolicy Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FleetInputException(LifecycleErrorIds.UpgradePolicyInvalid, FleetErrorCategory.ObjectNotFound, path,
                $"Cannot read the upgrade policy {path}: {ex.Message}", ex);
        }
        return Parse(text, path);
    }

    /// <summary>Parses a policy document, or a ConfigMap holding one under <c>policy.yaml</c>.</summary>
    public static UpgradePolicy Parse(string text, string source = "(string)")
    {
        IReadOnlyList<ParsedDocument> documents;
        try
        {
            documents = YamlReader.ReadDocuments(text, source).Where(d => !d.IsEmpty).ToList();
        }
        catch (FleetException ex)
        {
            throw new FleetInputException(LifecycleErrorIds.UpgradePolicyInvalid, FleetErrorCategory.ParserError, source, ex.Message, ex);
        }
        if (documents.Count != 1 || documents[0].Root is not JsonObject root)
            throw Invalid(source, "must be one YAML mapping with a 'waves' list");

        if (root["kind"]?.ToString() == "ConfigMap")
        {
            var inner = root["data"]?[ConfigMapKey]?.ToString()
                ?? throw Invalid(source, $"is a ConfigMap without a '{ConfigMapKey}' key in its data");
            return Parse(inner, $"{source} ({ConfigMapKey})");
        }

        if (root["clusters"] is not null && root["waves"] is null) return ParseFieldLayout(root, source);
        RejectUnknownKeys(root, TopLevelKeys, source, "the policy");
        var defaultZone = ParseTimeZone(root["timeZone"], source, "the policy") ?? TimeZoneInfo.Utc;
        if (root["waves"] is not JsonArray { Count: > 0 } waves) throw Invalid(source, "has no 'waves' list (give at least one wave)");

        var parsed = new List<UpgradePolicyWave>();
        for (var i = 0; i < waves.Count; i++)
        {
            if (waves[i] is not JsonObject wave) throw Invalid(source, $"has wave {i + 1} that is not a mapping");
            parsed.Add(ParseWave(wave, i, defaultZone, source));
        }
        var duplicate = parsed.GroupBy(w => w.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw Invalid(source, $"names wave '{duplicate.Key}' twice");
        return new UpgradePolicy(parsed);
    }

    private static UpgradePolicyWave ParseWave(JsonObject wave, int index, TimeZoneInfo defaultZone, string source)
    {
        var name = Text(wave["name"]) ?? $"wave-{index + 1}";
        var where = $"wave '{name}'";
        RejectUnknownKeys(wave, WaveKeys, source, where);

        var patterns = Strings(wave["clusters"], source, where, "clusters");
        if (patterns.Count == 0) throw Invalid(source, $"has {where} without 'clusters' (give name patterns such as dev-*)");

        CronExpression? schedule = null;
        var scheduleText = Text(wave["schedule"]);
        if (scheduleText is not null)
        {
            try
            {
                schedule = CronExpression.Parse(scheduleText, CronFormat.Standard);
            }
            catch (CronFormatException ex)
            {
                throw Invalid(source, $"has {where} whose schedule '{scheduleText}' is not a cron expression of 5 fields (minute hour day-of-month month day-of-week): {ex.Message}");
            }
        }

        var window = DefaultWindow;
        if (Text(wave["window"]) is { } windowText && !TryParseDuration(windowText, out window))
            throw Invalid(source, $"has {where} whose window '{windowText}' is not a duration such as 4h, 90m or 1h30m");

        return new UpgradePolicyWave(
            name,
            patterns.Select(p => new WildcardName(p)).ToList(),
            schedule,
            scheduleText,
            ParseTimeZone(wave["timeZone"], source, where) ?? defaultZone,
            window,
            ParseEnum(wave["strategy"], FleetUpgradeStrategy.RollingUpdate, source, where, "strategy"),
            ParseMaxUnavailable(wave["maxUnavailable"], source, where),
            ParseEnum(wave["approval"], FleetUpgradeApproval.Auto, source, where, "approval"),
            Strings(wave["preChecks"], source, where, "preChecks"),
            Strings(wave["postChecks"], source, where, "postChecks"));
    }

    // The field's clusters: list, read entry by entry into waves named after their glob.
    private static UpgradePolicy ParseFieldLayout(JsonObject root, string source)
    {
        RejectUnknownKeys(root, ["clusters", "timeZone"], source, "the policy");
        var defaultZone = ParseTimeZone(root["timeZone"], source, "the policy") ?? TimeZoneInfo.Utc;
        if (root["clusters"] is not JsonArray { Count: > 0 } entries) throw Invalid(source, "has a 'clusters' that is not a list of entries (give at least one)");
        var waves = new List<JsonObject>();
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i] is not JsonObject entry) throw Invalid(source, $"has clusters entry {i + 1} that is not a mapping");
            var name = Text(entry["name"]) ?? throw Invalid(source, $"has clusters entry {i + 1} without a 'name' (a cluster name glob such as prod-*)");
            var where = $"clusters entry '{name}'";
            RejectUnknownKeys(entry, FieldEntryKeys, source, where);
            var upgrade = entry["upgrade"] as JsonObject ?? (entry["upgrade"] is null ? new JsonObject() : throw Invalid(source, $"has {where} whose 'upgrade' is not a mapping"));
            RejectUnknownKeys(upgrade, FieldUpgradeKeys, source, $"the upgrade of {where}");

            var auto = Text(upgrade["auto"]);
            if (auto is not null && !bool.TryParse(auto, out _)) throw Invalid(source, $"has {where} whose auto '{auto}' is not true or false");
            var isAuto = auto is not null && bool.Parse(auto);
            var approval = Text(upgrade["approval"]);
            if (isAuto && approval is not null && !approval.Equals("auto", StringComparison.OrdinalIgnoreCase))
                throw Invalid(source, $"has {where} with auto: true and approval: {approval}; auto means no approval, so give one or the other");
            var track = Text(upgrade["track"]);
            if (track is not null && !track.Equals("stable", StringComparison.OrdinalIgnoreCase) && !track.Equals("latest", StringComparison.OrdinalIgnoreCase))
                throw Invalid(source, $"has {where} whose track '{track}' is not stable or latest");

            // Same wave shape as the module's layout, so one wave parser checks both.
            var wave = new JsonObject { ["name"] = name, ["clusters"] = new JsonArray(name) };
            // auto: the cluster upgrades whenever the rollout reaches it, with no approval and no window.
            if (!isAuto && upgrade["schedule"] is { } schedule) wave["schedule"] = schedule.DeepClone();
            if (!isAuto && upgrade["window"] is { } window) wave["window"] = window.DeepClone();
            if (upgrade["timeZone"] is { } zone) wave["timeZone"] = zone.DeepClone();
            if (upgrade["strategy"] is { } strategy) wave["strategy"] = strategy.DeepClone();
            if (upgrade["max_unavailable"] is { } maxUnavailable) wave["maxUnavailable"] = maxUnavailable.DeepClone();
            wave["approval"] = isAuto ? "auto" : approval ?? "auto";
            if (upgrade["pre_checks"] is { } pre) wave["preChecks"] = FieldChecks(pre, source, where, "pre_checks");
            if (upgrade["post_checks"] is { } post) wave["postChecks"] = FieldChecks(post, source, where, "post_checks");
            waves.Add(wave);
        }
        var parsed = waves.Select((w, i) => ParseWave(w, i, defaultZone, source) with
        {
            Track = Text(((JsonObject?)entries[i]!["upgrade"])?["track"])?.ToLowerInvariant(),
        }).ToList();
        var duplicate = parsed.GroupBy(w => w.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw Invalid(source, $"names the clusters entry '{duplicate.Key}' twice");
        return new UpgradePolicy(parsed);
    }

    private static JsonArray FieldChecks(JsonNode node, string source, string where, string field) =>
        new(Strings(node, source, where, field).Select(c => (JsonNode?)JsonValue.Create(FieldCheckNames.GetValueOrDefault(c, c))).ToArray());

    /// <summary>How many of <paramref name="clusters"/> clusters a maxUnavailable value allows at once (at least 1).</summary>
    public static int ResolveMaxUnavailable(string value, int clusters)
    {
        if (value.EndsWith('%'))
        {
            var percent = int.Parse(value[..^1], CultureInfo.InvariantCulture);
            return Math.Max(1, (int)Math.Ceiling(clusters * percent / 100.0));
        }
        return Math.Max(1, int.Parse(value, CultureInfo.InvariantCulture));
    }

    private static string ParseMaxUnavailable(JsonNode? node, string source, string where)
    {
        var text = Text(node) ?? "1";
        var match = MaxUnavailablePattern().Match(text);
        if (!match.Success || (match.Groups["percent"].Success && int.Parse(match.Groups["number"].Value, CultureInfo.InvariantCulture) is 0 or > 100)
            || int.Parse(match.Groups["number"].Value, CultureInfo.InvariantCulture) == 0)
            throw Invalid(source, $"has {where} whose maxUnavailable '{text}' is not a positive count or a percentage from 1% to 100%");
        return text;
    }

    private static T ParseEnum<T>(JsonNode? node, T fallback, string source, string where, string field) where T : struct, Enum
    {
        var text = Text(node);
        if (text is null) return fallback;
        if (Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value) && !int.TryParse(text, out _)) return value;
        throw Invalid(source, $"has {where} whose {field} '{text}' is not one of {string.Join(", ", Enum.GetNames<T>())}");
    }

    private static TimeZoneInfo? ParseTimeZone(JsonNode? node, string source, string where)
    {
        var text = Text(node);
        if (text is null) return null;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(text);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw Invalid(source, $"has {where} whose timeZone '{text}' is not a known time zone (use an IANA name such as Europe/Berlin)");
        }
    }

    internal static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        var match = DurationPattern().Match(text);
        if (!match.Success || text.Length == 0) return false;
        int Part(string group) => match.Groups[group].Success ? int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
        duration = new TimeSpan(Part("h"), Part("m"), 0);
        return duration > TimeSpan.Zero;
    }

    private static IReadOnlyList<string> Strings(JsonNode? node, string source, string where, string field) => node switch
    {
        null => [],
        JsonValue single => [single.ToString()],
        JsonArray list when list.All(i => i is JsonValue) => list.Select(i => i!.ToString()).Where(s => s.Length > 0).ToList(),
        _ => throw Invalid(source, $"has {where} whose {field} is not a list of strings"),
    };

    private static void RejectUnknownKeys(JsonObject map, string[] known, string source, string where)
    {
        var unknown = map.Select(p => p.Key).FirstOrDefault(k => !known.Contains(k, StringComparer.Ordinal));
        if (unknown is null) return;
        throw Invalid(source, $"has an unknown key '{unknown}' in {where}.{NameSuggestions.DidYouMean(unknown, known)} Known keys: {string.Join(", ", known)}");
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.ToString() is { Length: > 0 } text ? text : null;

    private static FleetInputException Invalid(string source, string problem) =>
        new(LifecycleErrorIds.UpgradePolicyInvalid, FleetErrorCategory.InvalidData, source,
            $"The upgrade policy {source} {problem}{(problem.EndsWith('.') ? "" : ".")}");

    [GeneratedRegex(@"^(?<number>[0-9]+)(?<percent>%)?\z")]
    private static partial Regex MaxUnavailablePattern();

    [GeneratedRegex(@"^((?<h>[0-9]+)h)?((?<m>[0-9]+)m)?\z")]
    private static partial Regex DurationPattern();
}
