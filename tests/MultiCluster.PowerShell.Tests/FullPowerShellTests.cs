using MultiCluster.PowerShell.Tests.Infrastructure;

namespace MultiCluster.PowerShell.Tests;

/// <summary>
/// The module's objects through the rest of PowerShell (Microsoft.PowerShell.SDK in-process), the
/// way a user's pipeline carries them on: Export-Csv, ConvertTo-Json, Format-Table at 80 columns.
/// </summary>
public sealed class FullPowerShellTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public void Health_exports_to_CSV_one_row_per_cluster()
    {
        using var session = fixture.NewSession();
        var csv = Path.Combine(fixture.Emulator.Directory, "health.csv");
        var rows = session.Run("Get-FleetCluster | Test-FleetCluster | Export-Csv -Path $args[0]; Import-Csv $args[0] | Sort-Object Cluster", csv)
            .ThrowIfFailed().RawOutput;
        rows.Should().HaveCount(3);
        rows.Select(r => (Convert.ToString(r.Properties["Cluster"].Value), Convert.ToString(r.Properties["Status"].Value)))
            .Should().Equal(("dev-c", "Healthy"), ("prod-a", "Healthy"), ("prod-b", "Healthy"));
    }

    [Fact]
    public void A_preview_converts_to_JSON_with_its_action_by_name()
    {
        using var session = fixture.NewSession();
        var json = session.Run("""
            @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'full-ps'; namespace = 'default' }; data = @{ a = '1' } } |
              Invoke-FleetApply -Selector 'env=prod' -WhatIf | Select-Object Cluster, Kind, Name, Action | Sort-Object Cluster | ConvertTo-Json -EnumsAsStrings -Compress
            """).ThrowIfFailed().Output.Cast<string>().Single();
        json.Should().Be("""[{"Cluster":"prod-a","Kind":"ConfigMap","Name":"full-ps","Action":"WouldCreate"},{"Cluster":"prod-b","Kind":"ConfigMap","Name":"full-ps","Action":"WouldCreate"}]""");
        session.Run("Get-FleetResource ConfigMap -Name full-ps -Namespace default -ErrorAction SilentlyContinue").Output
            .Should().BeEmpty("-WhatIf created nothing");
    }

    [Fact]
    public void The_apply_table_shows_Action_on_an_80_column_console()
    {
        using var session = fixture.NewSession();
        var lines = session.Run("""
            @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'full-ps-table'; namespace = 'default' }; data = @{ a = '1' } } |
              Invoke-FleetApply -Cluster prod-a -WhatIf | Format-Table | Out-String -Width 80
            """).ThrowIfFailed().Output.Cast<string>().Single()
            .Split('\n').Where(l => l.Trim().Length > 0).ToList();
        lines.Should().HaveCount(3);
        lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Should().Equal("Cluster", "Kind", "Namespace", "Name", "Action", "Message");
        lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries).Should().Equal("prod-a", "ConfigMap", "default", "full-ps-table", "WouldCreate");
        lines.Should().OnlyContain(l => l.TrimEnd().Length <= 80);
    }
}
