using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MultiCluster.Engine.Recovery;

/// <summary>Go's <c>time.Duration</c> text, the format of Velero's ttl: <c>720h0m0s</c>, <c>1h30m0s</c>, <c>45s</c>.</summary>
public static partial class VeleroDuration
{
    /// <summary>As Go's <c>Duration.String()</c> writes whole seconds: hours, minutes and seconds from the first non-zero unit.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(duration), "a Velero duration is never negative");
        var seconds = (long)Math.Floor(duration.TotalSeconds);
        if (seconds == 0) return "0s";
        long hours = seconds / 3600, minutes = seconds / 60 % 60, rest = seconds % 60;
        var text = new StringBuilder();
        if (hours > 0) text.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        if (hours > 0 || minutes > 0) text.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        text.Append(rest.ToString(CultureInfo.InvariantCulture)).Append('s');
        return text.ToString();
    }

    /// <summary>Reads a Go duration (<c>720h0m0s</c>, <c>24h</c>, <c>1.5h</c>, <c>90m</c>); null when it is not one.</summary>
    public static TimeSpan? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        var match = DurationPattern().Match(text);
        if (!match.Success) return null;
        var total = TimeSpan.Zero;
        for (var i = 0; i < match.Groups[1].Captures.Count; i++)
        {
            var value = double.Parse(match.Groups[1].Captures[i].Value, CultureInfo.InvariantCulture);
            total += match.Groups[2].Captures[i].Value switch
            {
                "h" => TimeSpan.FromHours(value),
                "m" => TimeSpan.FromMinutes(value),
                "s" => TimeSpan.FromSeconds(value),
                "ms" => TimeSpan.FromMilliseconds(value),
                _ => TimeSpan.Zero,
            };
        }
        return total;
    }

    [GeneratedRegex(@"^(?:(\d+(?:\.\d+)?)(h|ms|m|s))+$")]
    private static partial Regex DurationPattern();
}
