using Cronos;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Recovery;

/// <summary>
/// Cron schedules for backups: the schedule that guarantees a recovery point objective, and the
/// worst-case RPO a schedule gives (the longest gap between two runs).
/// </summary>
public static class BackupCron
{
    // Intervals that divide the hour or the day evenly, so every gap is the same.
    private static readonly int[] MinuteSteps = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30];
    private static readonly int[] HourSteps = [2, 3, 4, 6, 8, 12];

    /// <summary>
    /// The least frequent even schedule whose gaps never exceed <paramref name="rpo"/>: 5 minutes
    /// gives <c>*/5 * * * *</c>, an hour <c>0 * * * *</c>, 6 hours <c>0 */6 * * *</c>, a day
    /// <c>0 0 * * *</c>, a week or more <c>0 0 * * 0</c>. Under a minute no cron can meet.
    /// </summary>
    public static string FromRpo(TimeSpan rpo)
    {
        if (rpo < TimeSpan.FromMinutes(1))
        {
            throw new FleetInputException(RecoveryErrorIds.RpoUnachievable, FleetErrorCategory.InvalidArgument, rpo.ToString(),
                $"An RPO of {Describe(rpo)} cannot be guaranteed: a Velero schedule runs at most once a minute.",
                recommendedAction: "Give -Rpo of one minute or more, or replicate the data continuously instead of backing it up.");
        }
        if (rpo >= TimeSpan.FromDays(7)) return "0 0 * * 0";
        if (rpo >= TimeSpan.FromDays(1)) return "0 0 * * *";
        if (rpo >= TimeSpan.FromHours(2)) return $"0 */{HourSteps.Last(h => h <= rpo.TotalHours)} * * *";
        if (rpo >= TimeSpan.FromHours(1)) return "0 * * * *";
        var minutes = MinuteSteps.Last(m => m <= rpo.TotalMinutes);
        return minutes == 1 ? "* * * * *" : $"*/{minutes} * * * *";
    }

    /// <summary>Parses a five-field cron (or a descriptor such as @daily) as Velero does; a clear error otherwise.</summary>
    public static CronExpression Parse(string schedule, string target)
    {
        try
        {
            return CronExpression.Parse(schedule);
        }
        catch (CronFormatException e)
        {
            throw new FleetInputException(RecoveryErrorIds.ScheduleInvalid, FleetErrorCategory.InvalidArgument, target,
                $"The schedule '{schedule}' is not a cron expression: {e.Message}",
                recommendedAction: "Give five fields (minute hour day-of-month month day-of-week), e.g. '*/15 * * * *', or use -Rpo.");
        }
    }

    /// <summary>
    /// The longest gap between two runs of <paramref name="cron"/> over the next eight days (a
    /// weekly schedule is covered; runs are counted up to a limit, enough for a per-minute cron).
    /// </summary>
    public static TimeSpan WorstCaseRpo(CronExpression cron, DateTimeOffset from)
    {
        var worst = TimeSpan.Zero;
        var previous = cron.GetNextOccurrence(from, TimeZoneInfo.Utc);
        if (previous is null) return TimeSpan.MaxValue;
        var end = from.AddDays(8);
        for (var i = 0; i < 20_000 && previous < end; i++)
        {
            var next = cron.GetNextOccurrence(previous.Value, TimeZoneInfo.Utc);
            if (next is null) break;
            if (next.Value - previous.Value > worst) worst = next.Value - previous.Value;
            previous = next;
        }
        return worst;
    }

    /// <summary>A duration as an operator reads it: 45s, 5m, 1h30m, 2d.</summary>
    public static string Describe(TimeSpan span)
    {
        if (span < TimeSpan.Zero) span = TimeSpan.Zero;
        if (span.TotalDays >= 1) return span.Hours == 0 ? $"{(int)span.TotalDays}d" : $"{(int)span.TotalDays}d{span.Hours}h";
        if (span.TotalHours >= 1) return span.Minutes == 0 ? $"{(int)span.TotalHours}h" : $"{(int)span.TotalHours}h{span.Minutes}m";
        if (span.TotalMinutes >= 1) return span.Seconds == 0 ? $"{(int)span.TotalMinutes}m" : $"{(int)span.TotalMinutes}m{span.Seconds}s";
        return $"{(int)span.TotalSeconds}s";
    }
}
