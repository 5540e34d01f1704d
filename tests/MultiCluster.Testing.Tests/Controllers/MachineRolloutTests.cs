using MultiCluster.Testing.Controllers.ClusterApi;

namespace MultiCluster.Testing.Tests.Controllers;

public sealed class MachineRolloutTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(1);

    private static MachineTarget Target(int replicas, string version) => new(replicas, version, version + "|DockerMachineTemplate/md");

    // Walks the rollout one step at a time and records (replicas, ready, up-to-date) after each.
    private static List<(int Replicas, int Ready, int UpToDate)> Walk(MachineRollout rollout, MachineTarget target, DateTimeOffset from)
    {
        var seen = new List<(int, int, int)>();
        for (var time = from; rollout.NextStep is not null || time == from; time += Step)
        {
            rollout.AdvanceTo(target, from, time);
            var summary = rollout.Summarize(target, time);
            seen.Add((summary.Replicas, summary.Ready, summary.UpToDate));
            if (seen.Count > 50) throw new InvalidOperationException("the rollout never settled");
        }
        return seen;
    }

    [Fact]
    public void Scaling_up_from_nothing_adds_one_machine_per_step_and_each_is_ready_a_step_later()
    {
        var rollout = new MachineRollout("md", Step);
        Walk(rollout, Target(3, "v1.31.2"), Start).Should().Equal((1, 0, 1), (2, 1, 2), (3, 2, 3), (3, 3, 3));
        rollout.FirstReadyAt.Should().Be(Start + Step);
        rollout.Machines.Should().OnlyContain(m => m.Name.StartsWith("md-") && m.Version == "v1.31.2");
    }

    [Fact]
    public void A_version_change_surges_one_new_machine_then_deletes_one_old_until_all_are_up_to_date()
    {
        var rollout = new MachineRollout("cp", Step);
        Walk(rollout, Target(3, "v1.31.2"), Start);
        var upgradeAt = Start + TimeSpan.FromMinutes(1);

        var seen = Walk(rollout, Target(3, "v1.32.1"), upgradeAt);

        seen.Should().Equal((3, 3, 0), (4, 3, 1), (3, 3, 1), (4, 3, 2), (3, 3, 2), (4, 3, 3), (3, 3, 3));
        rollout.Machines.Should().OnlyContain(m => m.Version == "v1.32.1");
    }

    [Fact]
    public void While_rolling_the_lowest_version_and_the_outdated_machines_are_reported()
    {
        var rollout = new MachineRollout("cp", Step);
        Walk(rollout, Target(3, "v1.31.2"), Start);
        var upgradeAt = Start + TimeSpan.FromMinutes(1);
        var target = Target(3, "v1.32.1");

        rollout.AdvanceTo(target, upgradeAt, upgradeAt);
        rollout.AdvanceTo(target, upgradeAt, upgradeAt + 2 * Step);
        var midway = rollout.Summarize(target, upgradeAt + 2 * Step);

        midway.MinimumVersion.Should().Be("v1.31.2");
        midway.OutdatedVersions.Should().Equal("v1.31.2");
        midway.NotUpToDate.Should().HaveCount(2);
        midway.Versions.Should().Equal(("v1.31.2", 2), ("v1.32.1", 1));
    }

    [Fact]
    public void Scaling_down_deletes_one_machine_per_step_and_a_clock_jump_runs_every_step_it_passes()
    {
        var rollout = new MachineRollout("md", Step);
        Walk(rollout, Target(3, "v1.31.2"), Start);
        var at = Start + TimeSpan.FromMinutes(1);

        rollout.AdvanceTo(Target(1, "v1.31.2"), Start, at);
        rollout.Summarize(Target(1, "v1.31.2"), at).Replicas.Should().Be(3, "a change is first only observed");
        rollout.AdvanceTo(Target(1, "v1.31.2"), Start, at + Step);
        rollout.Summarize(Target(1, "v1.31.2"), at + Step).Replicas.Should().Be(2);

        rollout.AdvanceTo(Target(1, "v1.31.2"), Start, at + TimeSpan.FromHours(1));
        rollout.Machines.Should().HaveCount(1);
        rollout.NextStep.Should().BeNull("nothing is left to do");
    }

    [Fact]
    public void Versions_order_numerically()
    {
        new[] { "v1.10.0", "v1.9.3", "v1.31.2" }.Order(KubernetesVersionComparer.Instance).Should().Equal("v1.9.3", "v1.10.0", "v1.31.2");
    }
}
