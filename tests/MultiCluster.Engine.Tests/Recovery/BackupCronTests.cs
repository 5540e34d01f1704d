using Cronos;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Recovery;

namespace MultiCluster.Engine.Tests.Recovery;

public class BackupCronTests
{
    [Theory]
    [InlineData(1, "* * * * *")]
    [InlineData(5, "*/5 * * * *")]
    [InlineData(7, "*/6 * * * *")]
    [InlineData(15, "*/15 * * * *")]
    [InlineData(45, "*/30 * * * *")]
    [InlineData(60, "0 * * * *")]
    [InlineData(90, "0 * * * *")]
    [InlineData(360, "0 */6 * * *")]
    [InlineData(600, "0 */8 * * *")]
    [InlineData(1440, "0 0 * * *")]
    [InlineData(3 * 1440, "0 0 * * *")]
    [InlineData(7 * 1440, "0 0 * * 0")]
    public void The_schedule_for_an_RPO_never_leaves_a_gap_longer_than_it(int rpoMinutes, string expected)
    {
        var rpo = TimeSpan.FromMinutes(rpoMinutes);

        var cron = BackupCron.FromRpo(rpo);

        cron.Should().Be(expected);
        BackupCron.WorstCaseRpo(CronExpression.Parse(cron), new DateTimeOffset(2026, 12, 2, 10, 7, 0, TimeSpan.Zero)).Should().BeLessThanOrEqualTo(rpo);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(30)]
    [InlineData(59)]
    public void An_RPO_under_a_minute_is_refused(int seconds)
    {
        var act = () => BackupCron.FromRpo(TimeSpan.FromSeconds(seconds));

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(RecoveryErrorIds.RpoUnachievable);
        error.Category.Should().Be(FleetErrorCategory.InvalidArgument);
        error.Message.Should().Contain("at most once a minute");
    }

    [Theory]
    [InlineData("*/5 * * * *", 5)]
    [InlineData("0 */6 * * *", 360)]
    [InlineData("0 9,17 * * *", 16 * 60)]
    [InlineData("30 2 * * *", 1440)]
    [InlineData("0 0 * * 0", 7 * 1440)]
    [InlineData("0 0 * * 1-5", 3 * 1440)]
    public void The_worst_case_RPO_is_the_longest_gap_between_runs(string cron, int minutes) =>
        BackupCron.WorstCaseRpo(CronExpression.Parse(cron), new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero))
            .Should().Be(TimeSpan.FromMinutes(minutes));

    [Fact]
    public void A_cron_that_does_not_parse_says_what_to_give_instead()
    {
        var act = () => BackupCron.Parse("every 5 minutes", "nightly");

        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(RecoveryErrorIds.ScheduleInvalid);
        error.Category.Should().Be(FleetErrorCategory.InvalidArgument);
        error.Target.Should().Be("nightly");
        error.Message.Should().StartWith("The schedule 'every 5 minutes' is not a cron expression");
        error.RecommendedAction.Should().Contain("-Rpo");
    }

    [Theory]
    [InlineData(720 * 60, "720h0m0s")]
    [InlineData(90, "1h30m0s")]
    [InlineData(24 * 60, "24h0m0s")]
    [InlineData(5, "5m0s")]
    [InlineData(0, "0s")]
    public void Ttl_is_written_as_a_Go_duration(int minutes, string expected)
    {
        VeleroDuration.Format(TimeSpan.FromMinutes(minutes)).Should().Be(expected);
        VeleroDuration.Parse(expected).Should().Be(TimeSpan.FromMinutes(minutes));
    }

    [Fact]
    public void Go_durations_Velero_writes_read_back()
    {
        VeleroDuration.Format(TimeSpan.FromSeconds(45)).Should().Be("45s");
        VeleroDuration.Parse("1.5h").Should().Be(TimeSpan.FromMinutes(90));
        VeleroDuration.Parse("1m").Should().Be(TimeSpan.FromMinutes(1));
        VeleroDuration.Parse("30 days").Should().BeNull();
        VeleroDuration.Parse(null).Should().BeNull();
    }
}
