using System.Management.Automation;
using System.Text;
using System.Text.Json.Nodes;
using MultiCluster.PowerShell.Tests.Infrastructure;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.PowerShell.Tests;

/// <summary>
/// Three emulated clusters enforcing RBAC and issuing service-account tokens: prod-a runs Argo CD
/// and KubeFed (their real CRDs); prod-b and dev-c are registered in Argo CD by
/// Register-FleetArgoCluster (real argocd-manager tokens) and joined to KubeFed with those tokens,
/// as kubefedctl join leaves a KubeFedCluster and its token secret.
/// </summary>
public sealed class ImportFleetFixture : EmulatedFleetFixture
{

    public override async Task InitializeAsync()
    {
        Emulator = await EmulatorProcess.StartAsync(3, "if" + Guid.NewGuid().ToString("N")[..4],
            crds: MultiCluster.Testing.SharedFiles.Crds is null ? null : "argo-cd,kubefed", controllers: "rbac,serviceaccount-tokens");
        FleetYaml = $"""
            name: before
            clusters:
              - name: prod-a
                context: {Emulator.Contexts[0]}
                region: us-east-1
                role: management
              - name: prod-b
                context: {Emulator.Contexts[1]}
                region: eu-central-1
                labels: {"{"} env: prod {"}"}
              - name: dev-c
                context: {Emulator.Contexts[2]}
                region: eu-central-1
                labels: {"{"} env: dev {"}"}
            """;
        if (MultiCluster.Testing.SharedFiles.Crds is null) return;
        using var session = NewSession();
        session.Run("""
            'argocd', 'kube-federation-system', 'kubefed-broken', 'argocd-broken' | ForEach-Object {
              @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = $_ } } } | Invoke-FleetApply -Cluster prod-a | Out-Null
            Register-FleetArgoCluster | Out-Null
            """).ThrowIfFailed();
        for (var i = 1; i <= 2; i++)
        {
            var name = i == 1 ? "prod-b" : "dev-c";
            var token = (string)(await Emulator.GetAsync(Emulator.Contexts[i], "/api/v1/namespaces/kube-system/secrets/argocd-manager-long-lived-token"))["data"]!["token"]!;
            var server = Emulator.Servers[Emulator.Contexts[i]].AbsoluteUri.TrimEnd('/');
            await CreateAsync(
                new JsonObject
                {
                    ["apiVersion"] = "v1", ["kind"] = "Secret",
                    ["metadata"] = new JsonObject { ["name"] = name + "-token", ["namespace"] = "kube-federation-system" },
                    ["data"] = new JsonObject { ["token"] = token },
                },
                new JsonObject
                {
                    ["apiVersion"] = "core.kubefed.io/v1beta1", ["kind"] = "KubeFedCluster",
                    ["metadata"] = new JsonObject
                    {
                        ["name"] = name, ["namespace"] = "kube-federation-system",
                        ["labels"] = new JsonObject { ["region"] = i == 1 ? "eu-central-1" : "eu-west-1" },
                    },
                    ["spec"] = new JsonObject
                    {
                        ["apiEndpoint"] = server, ["caBundle"] = Emulator.CertificateAuthorityData,
                        ["secretRef"] = new JsonObject { ["name"] = name + "-token" },
                    },
                });
        }
        // Bad input in namespaces of their own: a KubeFedCluster whose secret is gone, an Argo CD cluster secret without server.
        await CreateAsync(
            new JsonObject
            {
                ["apiVersion"] = "core.kubefed.io/v1beta1", ["kind"] = "KubeFedCluster",
                ["metadata"] = new JsonObject { ["name"] = "orphan", ["namespace"] = "kubefed-broken" },
                ["spec"] = new JsonObject { ["apiEndpoint"] = "https://10.1.2.3:6443", ["secretRef"] = new JsonObject { ["name"] = "orphan-token" } },
            },
            new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Secret",
                ["metadata"] = new JsonObject
                {
                    ["name"] = "no-server", ["namespace"] = "argocd-broken",
                    ["labels"] = new JsonObject { ["argocd.argoproj.io/secret-type"] = "cluster" },
                },
                ["data"] = new JsonObject { ["name"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("edge-1")), ["config"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("{}")) },
            });
    }

    // Straight through the API, not through a session: the objects hold real tokens, which a session's canary scan would find.
    private async Task CreateAsync(params JsonObject[] objects)
    {
        foreach (var item in objects) await Emulator.CreateAsync(Emulator.Contexts[0], item);
    }
}

/// <summary>Import-Fleet -From ArgoCD and -From KubeFed, and Export-Fleet, in a real runspace.</summary>
public sealed class ImportFleetTests(ImportFleetFixture fixture) : IClassFixture<ImportFleetFixture>
{
    private static List<string> Names(PowerShellResult result) => result.Output.Cast<FleetCluster>().Select(c => c.Name).ToList();

    [RequiresSharedCrdsFact]
    public void Argo_CD_clusters_become_the_fleet_are_reached_and_export_to_a_file_that_imports_back()
    {
        using var session = fixture.NewSession();
        var folder = Directory.CreateTempSubdirectory("mc-export-").FullName;
        var path = Path.Combine(folder, "argo.fleet.yaml");

        var imported = session.Run("Import-Fleet -From ArgoCD -ManagementCluster prod-a -Verbose");

        imported.Errors.Should().BeEmpty();
        imported.Terminating.Should().BeNull();
        imported.Output.Should().HaveCount(3);
        imported.Output.Cast<FleetCluster>().Select(c => (c.Name, c.Role, c.Region, c.LabelText)).Should().Equal(
            ("prod-a", FleetClusterRole.Management, "us-east-1", ""),
            ("dev-c", FleetClusterRole.Workload, "eu-central-1", "env=dev"),
            ("prod-b", FleetClusterRole.Workload, "eu-central-1", "env=prod"));
        imported.Verbose.Should().Contain(v => v.Contains("Imported 2 clusters from ArgoCD on 'prod-a'") && v.Contains("in the session's memory"));
        Names(session.Run("Get-FleetCluster")).Should().Equal("prod-a", "dev-c", "prod-b");
        session.Run("(Get-Fleet).Name").Output.Should().Equal("prod-a");

        var health = session.Run("Get-FleetCluster | Test-FleetCluster");
        health.Errors.Should().BeEmpty();
        health.Output.Cast<FleetClusterHealth>().Should().HaveCount(3).And.OnlyContain(h => h.Status == FleetHealthStatus.Healthy);

        session.Run("Export-Fleet $args[0] -WhatIf", path).Errors.Should().BeEmpty();
        File.Exists(path).Should().BeFalse("-WhatIf writes nothing");
        var exported = session.Run("Export-Fleet $args[0] -PassThru", path);
        exported.Errors.Should().BeEmpty();
        exported.Output.Should().ContainSingle().Which.Should().BeOfType<FileInfo>().Which.FullName.Should().Be(path);
        var text = File.ReadAllText(path);
        text.Should().Contain("- name: prod-b").And.NotContain("token").And.NotContain("certificate");

        var again = session.Run("Import-Fleet $args[0] -PassThru; Get-FleetCluster | Test-FleetCluster", path);
        again.Errors.Should().BeEmpty();
        again.Output.OfType<Fleet>().Single().Clusters.Select(c => (c.Name, c.Role, c.Region, c.LabelText)).Should().Equal(
            imported.Output.Cast<FleetCluster>().Select(c => (c.Name, c.Role, c.Region, c.LabelText)), "the file reads back to the same clusters");
        again.Output.OfType<FleetClusterHealth>().Should().HaveCount(3).And.OnlyContain(h => h.Status == FleetHealthStatus.Healthy,
            "the contexts the file names are the session's imported ones");

        var refused = session.Run("Export-Fleet $args[0]", path);
        refused.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("FleetFileExists,");
        refused.TerminatingRecord.CategoryInfo.Category.Should().Be(ErrorCategory.ResourceExists);
        File.ReadAllText(path).Should().Be(text);
        Directory.Delete(folder, recursive: true);
    }

    [RequiresSharedCrdsFact]
    public void KubeFed_clusters_are_imported_into_an_owner_only_kubeconfig_and_reached()
    {
        using var session = fixture.NewSession();
        var folder = Directory.CreateTempSubdirectory("mc-ps-kubefed-").FullName;
        var kubeconfig = Path.Combine(folder, "kubefed.kubeconfig");

        var imported = session.Run("Import-Fleet -From KubeFed -SourceCluster prod-a -KubeconfigPath $args[0] | Test-FleetCluster", kubeconfig);

        imported.Errors.Should().BeEmpty();
        // Test-FleetCluster answers in the order the clusters answer.
        imported.Output.Cast<FleetClusterHealth>().Select(h => (h.Cluster, h.Status)).Should().BeEquivalentTo(
            [("prod-a", FleetHealthStatus.Healthy), ("dev-c", FleetHealthStatus.Healthy), ("prod-b", FleetHealthStatus.Healthy)]);
        if (!OperatingSystem.IsWindows()) File.GetUnixFileMode(kubeconfig).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var members = session.Run("Get-FleetCluster dev-c, prod-b").Output.Cast<FleetCluster>().ToList();
        members.Should().HaveCount(2).And.OnlyContain(c => c.Kubeconfig == kubeconfig);
        members.Select(c => c.Region).Should().Equal("eu-west-1", "eu-central-1");
        Directory.Delete(folder, recursive: true);
    }

    [RequiresSharedCrdsFact]
    public void A_KubeFedCluster_whose_secret_is_missing_is_refused_naming_it_and_the_fleet_stays()
    {
        using var session = fixture.NewSession();

        var result = session.Run("Import-Fleet -From KubeFed -Namespace kubefed-broken");

        var record = result.TerminatingRecord!;
        record.FullyQualifiedErrorId.Should().StartWith("FleetSourceInvalid,");
        record.CategoryInfo.Category.Should().Be(ErrorCategory.InvalidData);
        record.TargetObject.Should().Be("prod-a");
        record.Exception.Message.Should().Be("Cannot import the KubeFed clusters of 'prod-a': KubeFedCluster kubefed-broken/orphan on 'prod-a' names the secret kubefed-broken/orphan-token, which does not exist. Nothing was imported.");
        Names(session.Run("Get-FleetCluster")).Should().Equal("prod-a", "prod-b", "dev-c");
        session.Run("(Get-Fleet).Name").Output.Should().Equal("before");
    }

    [RequiresSharedCrdsFact]
    public void A_failed_import_through_a_kubeconfig_of_its_own_leaves_the_sessions_kubeconfig_as_it_was()
    {
        using var session = fixture.NewSession();
        var emulator = fixture.Emulator;
        var context = emulator.Contexts[0];
        // Only the source cluster's context: had the session taken it, prod-b and dev-c could no longer be reached.
        var sourceOnly = Path.Combine(Directory.CreateTempSubdirectory("mc-ps-import-").FullName, "source-only.kubeconfig");
        // Owner-only, as a kubeconfig with a token must be (the canary scan checks every file a test writes).
        var owner = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) owner.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(sourceOnly, owner)) writer.Write($"""
            apiVersion: v1
            kind: Config
            current-context: {context}
            clusters:
              - name: {context}
                cluster: {"{"} server: "{emulator.Servers[context].AbsoluteUri}", certificate-authority-data: "{emulator.CertificateAuthorityData}" {"}"}
            users:
              - name: {context}
                user: {"{"} token: "{emulator.AdminTokenOf(context)}" {"}"}
            contexts:
              - name: {context}
                context: {"{"} cluster: {context}, user: {context} {"}"}
            """);

        var result = session.Run("Import-Fleet -From KubeFed -SourceCluster $args[1] -Namespace kubefed-broken -Kubeconfig $args[0]", sourceOnly, context);
        var health = session.Run("Get-FleetCluster | Test-FleetCluster");

        result.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("FleetSourceInvalid,", "the source was read through the kubeconfig given");
        health.Errors.Should().BeEmpty();
        health.Output.Cast<FleetClusterHealth>().Should().HaveCount(3).And.OnlyContain(h => h.Status == FleetHealthStatus.Healthy);
        session.Run("(Get-Fleet).Name").Output.Should().Equal("before");
        Directory.Delete(Path.GetDirectoryName(sourceOnly)!, recursive: true);
    }

    [RequiresSharedCrdsFact]
    public void An_Argo_CD_secret_without_server_is_refused_naming_it()
    {
        using var session = fixture.NewSession();

        var result = session.Run("Import-Fleet -From ArgoCD -Namespace argocd-broken");

        var record = result.TerminatingRecord!;
        record.FullyQualifiedErrorId.Should().StartWith("FleetSourceInvalid,");
        record.CategoryInfo.Category.Should().Be(ErrorCategory.InvalidData);
        record.Exception.Message.Should().Contain("Argo CD cluster secret argocd-broken/no-server on 'prod-a' has no 'server'");
        Names(session.Run("Get-FleetCluster")).Should().Equal("prod-a", "prod-b", "dev-c");
    }

    [RequiresSharedCrdsFact]
    public void Two_sources_yielding_one_name_are_refused_on_merge_naming_both()
    {
        using var session = fixture.NewSession();
        session.Run("Import-Fleet -From KubeFed | Out-Null").ThrowIfFailed();

        var result = session.Run("Import-Fleet -From ArgoCD -Merge");

        var record = result.TerminatingRecord!;
        record.FullyQualifiedErrorId.Should().StartWith("FleetClusterNameConflict,");
        record.CategoryInfo.Category.Should().Be(ErrorCategory.ResourceExists);
        record.TargetObject.Should().Be("dev-c");
        record.Exception.Message.Should().Contain("is named 'dev-c', which is already the name of cluster 'dev-c' of fleet 'prod-a'");
        Names(session.Run("Get-FleetCluster")).Should().Equal("prod-a", "dev-c", "prod-b");
        session.Run("Get-FleetCluster | Test-FleetCluster").Output.Cast<FleetClusterHealth>().Should().HaveCount(3).And.OnlyContain(h => h.Status == FleetHealthStatus.Healthy);
    }
}
