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
    IReadOnlyList<string> PostChecks);

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
/// </summary>
public sealed partial class UpgradePolicy
{
    public const string ConfigMapKey = "policy.yaml";
    private static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(4);
    private static readonly string[] TopLevelKeys = ["timeZone", "waves"];
    private static readonly string[] WaveKeys =
        ["name", "clusters", "schedule", "timeZone", "window", "strategy", "maxUnavailable", "approval", "preChecks", "postChecks"];

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
