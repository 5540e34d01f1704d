using System.Management.Automation;
using System.Management.Automation.Language;
using MultiCluster.PowerShell.Tests.Infrastructure;

namespace MultiCluster.PowerShell.Tests;

/// <summary>The module as PowerShell sees it: manifest, exports, cmdlet metadata, the repo's scripts.</summary>
public sealed class ModuleManifestTests
{
    [Fact]
    public void Manifest_passes_TestModuleManifest_and_declares_what_the_design_requires()
    {
        using var session = new PowerShellSession(importModule: false);
        var result = session.Run("Test-ModuleManifest -Path $args[0] -ErrorAction Stop", Repository.ModuleManifest).ThrowIfFailed();

        var module = result.Output.Should().ContainSingle().Which.Should().BeOfType<PSModuleInfo>().Subject;
        module.Name.Should().Be("MultiCluster");
        module.PowerShellVersion.Should().Be(new Version(7, 4));
        module.CompatiblePSEditions.Should().Equal("Core");
        module.Tags.Should().Contain("Kubernetes");
        module.ProjectUri.Should().NotBeNull();
        module.LicenseUri.Should().NotBeNull();
        var manifestText = File.ReadAllText(Path.Combine(Repository.Root, "MultiCluster.psd1"));
        manifestText.Should().NotContain("'*'", "the manifest lists every cmdlet explicitly");
        manifestText.Should().Contain("MultiCluster.format.ps1xml");
    }

    [Fact]
    public void Exported_cmdlets_are_exactly_the_cmdlet_classes_and_follow_the_conventions()
    {
        using var session = new PowerShellSession();
        var exported = session.Run("(Get-Module MultiCluster).ExportedCmdlets.Keys").ThrowIfFailed()
            .Output.Cast<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var classes = session.Run("""
            [MultiCluster.Loading.ModuleInitializer].Assembly.GetTypes() |
              Where-Object { $_.IsSubclassOf([System.Management.Automation.Cmdlet]) -and -not $_.IsAbstract } |
              ForEach-Object {
                $a = $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
                '{0}-{1}' -f $a.VerbName, $a.NounName
              }
            """).ThrowIfFailed().Output.Cast<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);

        classes.Should().NotBeEmpty();
        exported.Should().BeEquivalentTo(classes, "the manifest exports every cmdlet class and nothing else");

        var approvedVerbs = ApprovedVerbs();
        foreach (var name in exported)
        {
            var (verb, noun) = (name.Split('-')[0], name.Split('-')[1]);
            approvedVerbs.Should().Contain(verb, $"{name} uses an approved verb");
            noun.Should().StartWith("Fleet", $"{name} has the Fleet prefix");
            // "Status" and "Readiness" are singular (Get-FleetUpgradeStatus, Get-FleetDrReadiness, as the issues name them); "Dns" is an acronym (Set-FleetExternalDns).
            if (!noun.EndsWith("Status", StringComparison.Ordinal) && !noun.EndsWith("ness", StringComparison.Ordinal) && !noun.EndsWith("Dns", StringComparison.Ordinal))
                noun.Should().NotEndWith("s", $"{name} has a singular noun");
        }
    }

    // What Get-Verb lists: the constants of PowerShell's verb classes.
    private static HashSet<string> ApprovedVerbs() =>
        new[] { typeof(VerbsCommon), typeof(VerbsData), typeof(VerbsLifecycle), typeof(VerbsDiagnostic),
                typeof(VerbsCommunications), typeof(VerbsSecurity), typeof(VerbsOther) }
            .SelectMany(t => t.GetFields())
            .Select(f => (string)f.GetValue(null)!)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void Every_cmdlet_declares_output_types_pipeline_input_and_ShouldProcess_where_it_changes_things()
    {
        using var session = new PowerShellSession();
        var rows = session.Run("""
            Get-Command -Module MultiCluster | ForEach-Object {
              $c = $_
              $pipeline = @($c.Parameters.Values | Where-Object { $_.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and ($_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName) } }).Count
              $sp = $c.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].SupportsShouldProcess
              '{0}|{1}|{2}|{3}' -f $c.Name, $c.OutputType.Count, $pipeline, $sp
            }
            """).ThrowIfFailed().Output.Cast<string>().ToList();

        rows.Should().NotBeEmpty();
        var readOnlyVerbs = new[] { "Get", "Test", "Compare", "Wait", "Import", "Export", "ConvertTo", "New" };
        foreach (var row in rows)
        {
            var parts = row.Split('|');
            var (name, outputTypes, pipelineParams, shouldProcess) = (parts[0], int.Parse(parts[1]), int.Parse(parts[2]), bool.Parse(parts[3]));
            outputTypes.Should().BeGreaterThan(0, $"{name} declares [OutputType]");
            var verb = name.Split('-')[0];
            if (name != "Get-Fleet") // the session's fleet: nothing to take from the pipeline
                pipelineParams.Should().BeGreaterThan(0, $"{name} binds something from the pipeline");
            if (!readOnlyVerbs.Contains(verb))
                shouldProcess.Should().BeTrue($"{name} changes clusters or the session, so it supports -WhatIf/-Confirm");
        }
    }

    [Fact]
    public void Every_PowerShell_file_in_the_repository_parses()
    {
        var files = Directory.EnumerateFiles(Repository.Root, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".ps1", StringComparison.OrdinalIgnoreCase)
                     || f.EndsWith(".psm1", StringComparison.OrdinalIgnoreCase)
                     || f.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
                     && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                     && !f.Contains($"{Path.DirectorySeparatorChar}.git{Path.DirectorySeparatorChar}"))
            .ToList();

        files.Should().Contain(f => f.EndsWith("build.ps1")).And.Contain(f => f.EndsWith(".Tests.ps1"));
        foreach (var file in files)
        {
            Parser.ParseFile(file, out _, out var errors);
            errors.Should().BeEmpty($"{Path.GetRelativePath(Repository.Root, file)} must parse");
        }
    }
}
