using MultiCluster.PowerShell.Tests.Infrastructure;

namespace MultiCluster.PowerShell.Tests;

/// <summary>Every exported cmdlet has its PlatyPS page, and the page matches the live metadata.</summary>
public sealed class HelpTests
{
    private static readonly string[] CommonParameters =
    [
        "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable",
        "WarningVariable", "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "WhatIf", "Confirm",
    ];

    [Fact]
    public void Every_cmdlet_and_parameter_has_a_docs_page_entry()
    {
        using var session = new PowerShellSession();
        var rows = session.Run("""
            Get-Command -Module MultiCluster | ForEach-Object {
              $c = $_
              foreach ($p in $c.Parameters.Keys) { '{0}|{1}' -f $c.Name, $p }
              foreach ($s in $c.ParameterSets) { '{0}|@set:{1}' -f $c.Name, $s.Name }
            }
            """).ThrowIfFailed().Output.Cast<string>().ToList();
        rows.Should().NotBeEmpty();

        foreach (var group in rows.Select(r => r.Split('|')).GroupBy(r => r[0]))
        {
            var page = Path.Combine(Repository.Root, "docs", group.Key + ".md");
            File.Exists(page).Should().BeTrue($"docs/{group.Key}.md documents the cmdlet");
            var text = File.ReadAllText(page);
            text.Should().Contain("external help file: MultiCluster.dll-Help.xml").And.Contain("Module Name: MultiCluster").And.Contain("schema: 2.0.0");
            foreach (var heading in new[] { "## SYNOPSIS", "## SYNTAX", "## DESCRIPTION", "## EXAMPLES", "## PARAMETERS", "## INPUTS", "## OUTPUTS" })
                text.Should().Contain(heading, $"docs/{group.Key}.md has {heading}");
            System.Text.RegularExpressions.Regex.Matches(text, @"^### Example \d+", System.Text.RegularExpressions.RegexOptions.Multiline)
                .Count.Should().BeGreaterThanOrEqualTo(2, $"docs/{group.Key}.md has at least two examples");

            foreach (var row in group)
            {
                var item = row[1];
                if (item.StartsWith("@set:"))
                {
                    var set = item[5..];
                    if (set != "__AllParameterSets")
                        text.Should().Contain($"### {set}", $"docs/{group.Key}.md shows the syntax of parameter set {set}");
                }
                else if (!CommonParameters.Contains(item))
                {
                    text.Should().Contain($"### -{item}\n", $"docs/{group.Key}.md documents -{item}");
                }
            }
        }
    }

    [Fact]
    public void Every_parameter_a_page_documents_exists_on_its_cmdlet()
    {
        using var session = new PowerShellSession();
        var parameters = session.Run("Get-Command -Module MultiCluster | ForEach-Object { $c = $_; $c.Parameters.Keys | ForEach-Object { '{0}|{1}' -f $c.Name, $_ } }")
            .ThrowIfFailed().Output.Cast<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var commands = parameters.Select(p => p.Split('|')[0]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        commands.Should().NotBeEmpty();

        var strays = new List<string>();
        foreach (var page in Directory.EnumerateFiles(Path.Combine(Repository.Root, "docs"), "*.md").Order())
        {
            var lines = File.ReadAllLines(page);
            if (!lines.Any(l => l.StartsWith("external help file:"))) continue;
            var command = Path.GetFileNameWithoutExtension(page);
            if (!commands.Contains(command))
            {
                strays.Add($"docs/{command}.md:1 documents {command}, which the module does not export");
                continue;
            }
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].StartsWith("### -") && !parameters.Contains($"{command}|{lines[i][5..].Trim()}"))
                    strays.Add($"docs/{command}.md:{i + 1} documents {lines[i][4..].Trim()}, which {command} does not have");
            }
        }
        strays.Should().BeEmpty();
    }

    [Fact]
    public void Module_page_and_about_topics_exist_and_Get_Help_finds_the_about_topic()
    {
        File.Exists(Path.Combine(Repository.Root, "docs", "MultiCluster.md")).Should().BeTrue();
        File.Exists(Path.Combine(Repository.ModuleDirectory, "en-US", "about_MultiCluster.help.txt")).Should().BeTrue();
        File.Exists(Path.Combine(Repository.ModuleDirectory, "en-US", "about_MultiCluster_Errors.help.txt")).Should().BeTrue();

        var text = File.ReadAllText(Path.Combine(Repository.ModuleDirectory, "en-US", "about_MultiCluster.help.txt"));
        text.Should().StartWith("TOPIC").And.Contain("about_MultiCluster");
    }
}
