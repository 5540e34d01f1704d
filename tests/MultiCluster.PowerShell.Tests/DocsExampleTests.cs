using System.Management.Automation;
using System.Text.RegularExpressions;
using MultiCluster.PowerShell.Tests.Infrastructure;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.PowerShell.Tests;

/// <summary>
/// Every example in docs/ runs, against emulated clusters named as the docs name them, and gives
/// what its output block shows: the error it shows, or what a console shows for the objects it
/// writes, compared by <see cref="ShownOutput"/>: the same columns, the same number of rows and
/// the same values in the key columns, in any order unless the cmdlet promises one.
/// </summary>
public sealed class DocsExampleTests(DocsExampleTests.DocsFleet docs) : IClassFixture<DocsExampleTests.DocsFleet>
{
    /// <summary>Pages whose examples need the CRDs of ../shared/crds (Cluster API, Velero, Argo CD, MCS, Istio).</summary>
    private static readonly HashSet<string> SharedCrdPages = new(StringComparer.Ordinal)
    {
        "New-FleetCluster", "Wait-FleetCluster", "Get-FleetClusterCredential", "Resize-FleetCluster", "Remove-FleetCluster",
        "Set-FleetOidc", "Get-FleetUpgradePlan",
        // Velero: the docs fleet has its CRDs only when ../shared/crds is there.
        "New-FleetBackupSchedule", "New-FleetBackupLocation", "Get-FleetBackup", "Get-FleetBackupSchedule", "Invoke-FleetFailover",
        // Argo CD's Application CRD, likewise.
        "Get-FleetApplication", "Unregister-FleetArgoCluster",
        "Test-FleetFailover", "Invoke-FleetFailback", "Get-FleetDrReadiness",
        // Import-Fleet -From ClusterApi reads the clusters New-FleetCluster made.
        "Import-Fleet",
        // ServiceExport (MCS) and Istio's ServiceEntry and DestinationRule.
        "Export-FleetService", "Set-FleetTrafficPolicy",
    };

    public static TheoryData<string, int> Examples() => ExamplesOf(page => !SharedCrdPages.Contains(page));

    public static TheoryData<string, int> SharedCrdExamples() => ExamplesOf(SharedCrdPages.Contains);

    private static TheoryData<string, int> ExamplesOf(Func<string, bool> include)
    {
        var data = new TheoryData<string, int>();
        foreach (var page in Directory.EnumerateFiles(Path.Combine(Repository.Root, "docs"), "*-*.md").Order())
        {
            var name = Path.GetFileNameWithoutExtension(page);
            if (!include(name)) continue;
            for (var i = 1; i <= ParseExamples(File.ReadAllText(page)).Count; i++)
                data.Add(name, i);
        }
        return data;
    }

    [RequiresSharedCrdsTheory]
    [MemberData(nameof(SharedCrdExamples))]
    public void Example_needing_the_shared_CRDs_runs_and_shows_what_the_page_says(string page, int number) =>
        Example_runs_and_shows_what_the_page_says(page, number);

    // Every example runs alone (each was run so); one reads what the one before it left, as its page says:
    // Get-FleetEvent 2 lists the failures example 1's deployment caused. xunit runs a theory's rows in order.
    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_runs_and_shows_what_the_page_says(string page, int number)
    {
        var markdown = File.ReadAllText(Path.Combine(Repository.Root, "docs", page + ".md"));
        var example = ParseExamples(markdown)[number - 1];
        var at = $"docs/{page}.md:{HeadingLine(markdown, number)} (example {number})";
        using var session = docs.NewSession();
        var result = session.Run(example.Code);

        var shownError = example.Output is { } output && output.StartsWith(page + ":") ? output[(page.Length + 1)..].Trim() : null;
        var errors = result.Errors.Concat(result.TerminatingRecord is { } t ? [t] : []).ToList();
        if (shownError is not null)
        {
            errors.Should().Contain(e => e.Exception.Message == shownError, $"{at} shows this error");
            return;
        }
        errors.Should().BeEmpty($"{at} runs cleanly: {string.Join("; ", errors.Select(e => e.ToString()))}");
        if (example.Output is null) return;

        // What a console shows for these objects: their default view (MultiCluster.format.ps1xml), a
        // list or plain text, at a console's width. Information, warning and verbose records are not part of it.
        var rendered = (string)session.Run("$args[0] | Out-String -Width 150", result.RawOutput.ToList()).ThrowIfFailed().Output.Single()!;
        var problem = ShownOutput.Compare(ShownOutput.Parse(example.Output), ShownOutput.Parse(rendered),
            KeyColumnsExcluded.GetValueOrDefault(page, []), OrderedExamples.Contains((page, number)));
        if (problem is not null)
            Assert.Fail($"docs/{page}.md:{example.OutputLine + problem.Line} (example {number}): {problem.Text}\n"
                + $"The command gave:\n{ShownOutput.Marker}\n{rendered.Trim('\n')}\n{ShownOutput.Marker}");
    }

    /// <summary>
    /// Columns whose label is a key column but whose values here are made at run time, so no page can know them.
    /// </summary>
    private static readonly Dictionary<string, string[]> KeyColumnsExcluded = new(StringComparer.Ordinal)
    {
        // A Velero backup is named after its schedule and the time it ran.
        ["Get-FleetBackup"] = ["Name"],
    };

    /// <summary>Examples whose rows come in an order the cmdlet promises; all others are compared in any order.</summary>
    private static readonly HashSet<(string Page, int Number)> OrderedExamples =
    [
        // Waves in their Order.
        ("Get-FleetUpgradePlan", 1), ("Start-FleetUpgrade", 1),
    ];

    private sealed record Example(string Code, string? Output, int OutputLine);

    /// <summary>The line of the example's heading, where a reader of a failure finds it.</summary>
    private static int HeadingLine(string markdown, int number)
    {
        var heading = Regex.Matches(markdown, @"^### Example \d+", RegexOptions.Multiline)[number - 1];
        return markdown[..heading.Index].Count(c => c == '\n') + 1;
    }

    private static List<Example> ParseExamples(string markdown)
    {
        var start = markdown.IndexOf("## EXAMPLES", StringComparison.Ordinal);
        var section = markdown[start..markdown.IndexOf("## PARAMETERS", StringComparison.Ordinal)];
        var headings = Regex.Matches(section, @"^### Example \d+.*$", RegexOptions.Multiline);
        var examples = new List<Example>();
        for (var i = 0; i < headings.Count; i++)
        {
            var from = headings[i].Index;
            var block = section[from..(i + 1 < headings.Count ? headings[i + 1].Index : section.Length)];
            var code = Regex.Match(block, @"```powershell\n(.*?)\n```", RegexOptions.Singleline).Groups[1].Value;
            var output = Regex.Match(block, @"```output\n(.*?)\n```", RegexOptions.Singleline);
            // The page's line of the output block's first line, so a failure names the row's own line.
            var outputLine = output.Success ? markdown[..(start + from + output.Groups[1].Index)].Count(c => c == '\n') + 1 : 0;
            examples.Add(new Example(code, output.Success ? output.Groups[1].Value : null, outputLine));
        }
        return examples;
    }

    /// <summary>
    /// The fleet the docs use (prod-use1-01, prod-euc1-01, dev-euc1-01) over three emulated
    /// clusters running the simulated controllers, and the files the examples name, in a working
    /// folder the sessions start in.
    /// </summary>
    public sealed class DocsFleet : IAsyncLifetime
    {
        private EmulatorProcess _emulator = null!;
        private string _fleetYaml = "";
        public string WorkingDirectory { get; private set; } = "";

        public async Task InitializeAsync()
        {
            // prod-use1-01 is the management cluster: with the Cluster API CRDs (when present) and
            // the simulated controllers, the lifecycle pages' examples provision real-looking clusters.
            _emulator = await EmulatorProcess.StartAsync(3, "docs",
                crds: MultiCluster.Testing.SharedFiles.Crds is null ? null : ClusterApiFixture.ClusterApiCrds + ",velero,mcs-api,istio", controllers: "all");
            WorkingDirectory = Path.Combine(_emulator.Directory, "work");
            Directory.CreateDirectory(Path.Combine(WorkingDirectory, "manifests"));
            _fleetYaml = $"""
                name: prod
                clusters:
                  - name: prod-use1-01
                    context: {_emulator.Contexts[0]}
                    region: us-east-1
                    role: management
                    labels: {"{"} env: prod, tier: gold {"}"}
                    drPeer: prod-euc1-01
                  - name: prod-euc1-01
                    context: {_emulator.Contexts[1]}
                    region: eu-central-1
                    labels: {"{"} env: prod, tier: gold {"}"}
                    drPeer: dev-euc1-01
                  - name: dev-euc1-01
                    context: {_emulator.Contexts[2]}
                    region: eu-central-1
                    labels: {"{"} env: dev {"}"}
                """;
            File.WriteAllText(Path.Combine(WorkingDirectory, "prod.fleet.yaml"), _fleetYaml);
            File.WriteAllText(Path.Combine(WorkingDirectory, "next.fleet.yaml"), _fleetYaml.Replace("name: prod\n", "name: next\n"));
            File.WriteAllText(Path.Combine(WorkingDirectory, "manifests", "shop.yaml"), """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: shop
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                  namespace: shop
                spec:
                  replicas: 2
                  selector: { matchLabels: { app: web } }
                  template:
                    metadata: { labels: { app: web } }
                    spec: { containers: [ { name: web, image: nginx:1.27 } ] }
                """);
            File.WriteAllText(Path.Combine(WorkingDirectory, "upgrade-policy.yaml"), """
                waves:
                  - name: dev
                    clusters: [dev-*]
                    preChecks: [clusterHealth, versionSkew]
                    postChecks: [clusterHealth, versionSkew]
                  - name: prod
                    clusters: [prod-*]
                    schedule: "0 2 * * 6"
                    window: 4h
                    maxUnavailable: 50%
                    approval: manual
                    preChecks: [clusterHealth, versionSkew]
                    postChecks: [clusterHealth, smoke]
                """);
            File.WriteAllText(Path.Combine(WorkingDirectory, "canary-policy.yaml"), """
                waves:
                  - name: canary
                    clusters: [canary-*]
                    postChecks: [smoke]
                """);
            File.WriteAllText(Path.Combine(WorkingDirectory, "deploy.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: deploy-settings
                  namespace: default
                data:
                  mode: blue
                """);
            Seed();
        }

        // The world the docs describe: shop/web on the production clusters, an old-web to retire, settings everywhere.
        private void Seed()
        {
            using var session = NewSession();
            session.Run("""
                Invoke-FleetApply -Path ./manifests -Selector 'env=prod'
                @{ apiVersion = 'apps/v1'; kind = 'Deployment'; metadata = @{ name = 'old-web'; namespace = 'shop' }
                   spec = @{ selector = @{ matchLabels = @{ app = 'old-web' } }
                             template = @{ metadata = @{ labels = @{ app = 'old-web' } }; spec = @{ containers = @(@{ name = 'web'; image = 'nginx:1.25' }) } } } } |
                  Invoke-FleetApply -Selector 'env=prod'
                @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'settings'; namespace = 'default' }; data = @{ color = 'blue' } } |
                  Invoke-FleetApply
                @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'argocd' } } | Invoke-FleetApply -Cluster prod-use1-01
                """).ThrowIfFailed();
            if (MultiCluster.Testing.SharedFiles.Crds is null) return;
            // Velero on the production clusters sharing one bucket (read-only on the standby), and a schedule that has backed up shop.
            // Hourly as the pages show (-Rpo 01:00:00 gives '0 * * * *'), but at a minute half an hour away: a run at
            // the hour during the tests would add a backup the pages do not show. The Schedule column is not compared.
            var hourly = $"{(DateTime.UtcNow.Minute + 30) % 60} * * * *";
            session.Run("""
                @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'velero' } } | Invoke-FleetApply -Selector 'env=prod'
                New-FleetBackupLocation default -Provider aws -Bucket docs-dr-backups -Region us-east-1 -Default -Cluster prod-use1-01
                New-FleetBackupLocation default -Provider aws -Bucket docs-dr-backups -Region us-east-1 -AccessMode ReadOnly -Cluster prod-euc1-01
                New-FleetBackupSchedule shop -Schedule $args[0] -IncludedNamespace shop -Ttl 7.00:00:00 -Cluster prod-use1-01
                """, hourly).ThrowIfFailed();
            // Argo CD on the management cluster (its Application CRD only: the ApplicationSet CRD is large), with the shop's Applications.
            session.Run("Invoke-FleetApply -Path $args[0] -Cluster prod-use1-01 | Out-Null",
                Path.Combine(MultiCluster.Testing.SharedFiles.Crds, "argo-cd", "application-crd.yaml")).ThrowIfFailed();
            ArgoApplications.Create(_emulator, _emulator.Contexts[0], "prod-euc1-01-shop", "shop", "prod-euc1-01", "Synced", "Healthy");
            ArgoApplications.Create(_emulator, _emulator.Contexts[0], "dev-euc1-01-shop", "shop", "dev-euc1-01", "OutOfSync", "Degraded");
        }

        /// <summary>A session in the working folder with the docs fleet imported and Azure Automation's variable cmdlet stood in.</summary>
        public PowerShellSession NewSession()
        {
            var session = new PowerShellSession();
            session.Run("""
                $ExecutionContext.SessionState.Path.SetLocation($args[0]) | Out-Null
                Import-Fleet -Content $args[1] -Kubeconfig $args[2]
                $global:AutomationVariables = @{ FleetYaml = $args[1]; Kubeconfig = [System.IO.File]::ReadAllText($args[2]) }
                function global:Get-AutomationVariable([string] $Name) { $global:AutomationVariables[$Name] }
                """, WorkingDirectory, _fleetYaml, _emulator.Kubeconfig).ThrowIfFailed();
            return session;
        }

        public async Task DisposeAsync() => await _emulator.DisposeAsync();
    }
}
