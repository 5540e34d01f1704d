using System.Management.Automation.Runspaces;
using System.Xml.Linq;
using MultiCluster.PowerShell.Tests.Infrastructure;

namespace MultiCluster.PowerShell.Tests;

/// <summary>The default views load, name real Model types and real properties, and use no script blocks.</summary>
public sealed class FormatTests
{
    private static string FormatFile => Path.Combine(Repository.ModuleDirectory, "MultiCluster.format.ps1xml");

    [Fact]
    public void Format_file_loads_into_PowerShell()
    {
        var load = () => new FormatTable(new[] { FormatFile });
        load.Should().NotThrow();
    }

    [Fact]
    public void Every_view_names_a_public_type_and_its_properties_and_has_four_to_six_columns()
    {
        var views = XDocument.Load(FormatFile).Descendants("View").ToList();
        views.Should().NotBeEmpty();
        using var session = new PowerShellSession();
        foreach (var view in views)
        {
            var typeName = view.Element("ViewSelectedBy")!.Element("TypeName")!.Value;
            var properties = view.Descendants("TableColumnItem").Select(i => i.Element("PropertyName")?.Value).ToList();
            properties.Should().NotContainNulls($"the {typeName} view shows C# properties, not script blocks");
            properties.Count.Should().BeInRange(3, 6, $"the {typeName} view shows the columns an admin scans first");
            foreach (var property in properties)
            {
                var found = session.Run("$t = $args[0] -as [type]; if ($null -eq $t) { 'no type' } elseif ($null -eq $t.GetProperty($args[1])) { 'no property' } else { 'ok' }", typeName, property)
                    .ThrowIfFailed().Output.Single();
                found.Should().Be("ok", $"{typeName}.{property} exists");
            }
        }
    }
}
