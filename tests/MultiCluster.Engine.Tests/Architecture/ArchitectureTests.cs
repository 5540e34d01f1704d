namespace MultiCluster.Engine.Tests.Architecture;

/// <summary>
/// The layering of docs/ARCHITECTURE.md, enforced on the repository's own source: the rules pass
/// on src/, and each fails on a fixture that breaks it, so the test cannot pass by reading nothing.
/// </summary>
public class ArchitectureTests
{
    private static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MultiCluster.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("MultiCluster.sln not found above " + AppContext.BaseDirectory);
    }

    private static IReadOnlyList<SourceFile> SourceFiles() =>
        Directory.EnumerateFiles(Path.Combine(Root, "src"), "*", SearchOption.AllDirectories)
            .Where(path => path.EndsWith(".cs", StringComparison.Ordinal) || path.EndsWith(".csproj", StringComparison.Ordinal))
            .Select(path => Path.GetRelativePath(Root, path).Replace('\\', '/'))
            .Where(path => !path.Split('/').Any(part => part is "bin" or "obj"))
            .Select(path => new SourceFile(path, File.ReadAllText(Path.Combine(Root, path))))
            .ToList();

    [Fact]
    public void The_source_keeps_the_layers_apart()
    {
        var files = SourceFiles();

        files.Count(f => LayerRules.EngineFolder(f.Path) is not null).Should().BeGreaterThan(100, "the engine's source was found and read");
        files.Should().Contain(f => f.Path == "src/MultiCluster.Model/MultiCluster.Model.csproj");
        LayerRules.Violations(files).Should().BeEmpty();
    }

    [Fact]
    public void A_capability_using_another_capability_fails_whichever_way_it_names_it()
    {
        var violations = LayerRules.Violations(
        [
            new SourceFile("src/MultiCluster.Engine/Access/Forbidden.cs", "using MultiCluster.Engine.Lifecycle;\nnamespace MultiCluster.Engine.Access;\n"),
            new SourceFile("src/MultiCluster.Engine/Mesh/Forbidden.cs",
                "namespace MultiCluster.Engine.Mesh;\nclass A { object B() => Recovery.FailoverService.Default; object C() => MultiCluster.Engine.Traffic.Dns.Zone; }\n"),
            new SourceFile("src/MultiCluster.Engine/Lifecycle/Upgrade/Allowed.cs", "using MultiCluster.Engine.Lifecycle;\nusing MultiCluster.Engine.FanOut;\nnamespace MultiCluster.Engine.Lifecycle.Upgrade;\n"),
            new SourceFile("src/MultiCluster.Engine/Federation/Commented.cs",
                "// using MultiCluster.Engine.Access;\n/* Lifecycle.ClusterWaiter */\nnamespace MultiCluster.Engine.Federation;\n" +
                "class A { string U = \"https://x//y\"; Settings Configuration { get; } object B => Configuration.Contexts; }\n"),
        ]);

        violations.Should().Equal(
            "src/MultiCluster.Engine/Access/Forbidden.cs: capability Access uses capability Lifecycle; move what both need to a shared folder.",
            "src/MultiCluster.Engine/Mesh/Forbidden.cs: capability Mesh uses capability Recovery; move what both need to a shared folder.",
            "src/MultiCluster.Engine/Mesh/Forbidden.cs: capability Mesh uses capability Traffic; move what both need to a shared folder.");
    }

    [Fact]
    public void A_shared_folder_using_a_capability_fails_and_using_another_shared_folder_does_not()
    {
        var violations = LayerRules.Violations(
        [
            new SourceFile("src/MultiCluster.Engine/Inventory/Forbidden.cs", "using MultiCluster.Engine.Federation;\nusing MultiCluster.Engine.Errors;\nnamespace MultiCluster.Engine.Inventory;\n"),
            new SourceFile("src/MultiCluster.Engine/ClusterApi/Allowed.cs", "using MultiCluster.Engine.Resources;\nnamespace MultiCluster.Engine.ClusterApi;\n"),
            new SourceFile("src/MultiCluster.Engine/Dns/Forbidden.cs", "namespace MultiCluster.Engine.Dns;\nclass A { object B = Traffic.Route53Client.Default; }\n"),
        ]);

        violations.Should().Equal(
            "src/MultiCluster.Engine/Inventory/Forbidden.cs: shared folder Inventory uses capability Federation; shared folders never use capabilities.",
            "src/MultiCluster.Engine/Dns/Forbidden.cs: shared folder Dns uses capability Traffic; shared folders never use capabilities.");
    }

    [Fact]
    public void Model_gaining_a_reference_PowerShell_in_the_engine_and_the_test_bed_in_src_fail()
    {
        var violations = LayerRules.Violations(
        [
            new SourceFile("src/MultiCluster.Model/MultiCluster.Model.csproj",
                "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <ItemGroup>\n    <PackageReference Include=\"YamlDotNet\" />\n  </ItemGroup>\n</Project>\n"),
            new SourceFile("src/MultiCluster.Model/Inventory/Forbidden.cs", "using MultiCluster.Engine.Inventory;\nnamespace MultiCluster;\n"),
            new SourceFile("src/MultiCluster.Engine/Reporting/Forbidden.cs", "using System.Management.Automation;\nnamespace MultiCluster.Engine.Reporting;\n"),
            new SourceFile("src/MultiCluster/Commands/Forbidden.cs", "using MultiCluster.Testing;\nnamespace MultiCluster.Commands;\n"),
            new SourceFile("src/MultiCluster/MultiCluster.csproj", "<ProjectReference Include=\"../../tests/MultiCluster.Testing/MultiCluster.Testing.csproj\" />"),
        ]);

        violations.Should().Equal(
            "src/MultiCluster.Model/MultiCluster.Model.csproj has a PackageReference; Model references nothing, so it loads beside any other module.",
            "src/MultiCluster.Model/Inventory/Forbidden.cs uses MultiCluster.Engine.Inventory; Model references nothing.",
            "src/MultiCluster.Engine/Reporting/Forbidden.cs uses PowerShell; the engine knows none.",
            "src/MultiCluster/Commands/Forbidden.cs uses the test bed (MultiCluster.Testing), which ships with the tests only.",
            "src/MultiCluster/MultiCluster.csproj uses the test bed (MultiCluster.Testing), which ships with the tests only.");
    }

    [Fact]
    public void The_architecture_page_names_every_engine_folder_and_its_kind_and_points_nowhere_outside_the_repository()
    {
        var page = File.ReadAllText(Path.Combine(Root, "docs", "ARCHITECTURE.md"));
        var folders = Directory.EnumerateDirectories(Path.Combine(Root, "src", "MultiCluster.Engine"))
            .Select(Path.GetFileName).OfType<string>()
            .Where(name => name is not ("bin" or "obj"))
            .ToList();

        folders.Should().Contain(["Inventory", "Lifecycle", "ClusterApi", "Errors", "Reporting"]);
        foreach (var folder in folders)
        {
            var kind = LayerRules.IsCapability(folder) ? "capability" : "shared";
            page.Should().MatchRegex($@"\| `{folder}/` \| {kind} \|", $"docs/ARCHITECTURE.md lists engine folder {folder}/ as {kind}");
        }
        page.Should().NotContain("](../", "the page links only to files inside the repository").And.NotContain("`../shared");
    }
}
