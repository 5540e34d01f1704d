using MultiCluster.PowerShell.Tests.Infrastructure;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.PowerShell.Tests;

/// <summary>
/// Three emulated clusters with RBAC, service-account tokens and the Argo CD CRDs; prod-a (role
/// management) runs Argo CD in the argocd namespace.
/// </summary>
public sealed class DeliveryEmulatorFixture : EmulatedFleetFixture
{

    public override async Task InitializeAsync()
    {
        Emulator = await EmulatorProcess.StartAsync(3, "dl" + Guid.NewGuid().ToString("N")[..4],
            crds: MultiCluster.Testing.SharedFiles.Crds is null ? null : "argo-cd", controllers: "rbac,serviceaccount-tokens");
        FleetYaml = $"""
            name: delivery
            clusters:
              - name: prod-a
                context: {Emulator.Contexts[0]}
                region: us-east-1
                role: management
                labels: {"{"} env: prod {"}"}
              - name: prod-b
                context: {Emulator.Contexts[1]}
                region: eu-central-1
                labels: {"{"} env: prod, tier: gold {"}"}
              - name: dev-c
                context: {Emulator.Contexts[2]}
                region: eu-central-1
                labels: {"{"} env: dev {"}"}
            """;
        using var session = NewSession();
        session.Run("@{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'argocd' } } | Invoke-FleetApply -Cluster prod-a").ThrowIfFailed();
    }

    /// <summary>An Application in argocd on prod-a with the status Argo CD would report.</summary>
    public void CreateApplication(string name, string applicationSet, string cluster, string sync, string health) =>
        ArgoApplications.Create(Emulator, Emulator.Contexts[0], name, applicationSet, cluster, sync, health);
}

/// <summary>Register-FleetArgoCluster and Unregister-FleetArgoCluster in a real runspace.</summary>
public sealed class DeliveryTests(DeliveryEmulatorFixture fixture) : IClassFixture<DeliveryEmulatorFixture>
{
    [RequiresSharedCrdsFact]
    public void Register_previews_registers_the_workload_clusters_then_reports_Unchanged_and_Unregister_refuses_while_an_Application_deploys_there()
    {
        using var session = fixture.NewSession();

        var preview = session.Run("Register-FleetArgoCluster -WhatIf");
        // -Verbose and -Debug, so the secret scan below also covers the streams that name every call.
        var registered = session.Run("Get-FleetCluster | Register-FleetArgoCluster -Verbose -Debug");
        var again = session.Run("Register-FleetArgoCluster");
        var managerToken = session.Run("""
            $data = (Get-FleetResource Secret argocd-manager-long-lived-token -Namespace kube-system -Cluster prod-b).Object.data.token
            [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($data))
            """).ThrowIfFailed().Output.Should().ContainSingle().Subject!.ToString()!;

        preview.Errors.Should().BeEmpty();
        preview.Output.Cast<FleetArgoCluster>().Select(r => (r.Cluster, r.Action)).Should().BeEquivalentTo(new[] {
            ("prod-b", FleetResourceAction.WouldCreate), ("dev-c", FleetResourceAction.WouldCreate) });
        registered.Errors.Should().BeEmpty();
        var results = registered.Output.Cast<FleetArgoCluster>().ToList();
        results.Should().HaveCount(2, "the management cluster is Argo CD's in-cluster");
        results.Select(r => (r.Cluster, r.ManagementCluster, r.Action, r.Scope)).Should().BeEquivalentTo(new[] {
            ("prod-b", "prod-a", FleetResourceAction.Created, "Cluster"), ("dev-c", "prod-a", FleetResourceAction.Created, "Cluster") });
        results.Should().OnlyContain(r => r.Message == "Registered with cluster-wide rights.");
        var prodB = results.Single(r => r.Cluster == "prod-b");
        prodB.SecretName.Should().MatchRegex(@"^argocd/cluster-127\.0\.0\.1-\d+$");
        prodB.Labels.Should().Equal(new Dictionary<string, string>
        {
            ["env"] = "prod", ["multicluster.io/region"] = "eu-central-1", ["multicluster.io/role"] = "workload", ["tier"] = "gold",
        });
        again.Output.Cast<FleetArgoCluster>().Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);

        session.Run("""
            $server = (Register-FleetArgoCluster -Cluster dev-c).Server
            @{ apiVersion = 'argoproj.io/v1alpha1'; kind = 'Application'; metadata = @{ name = 'shop-dev'; namespace = 'argocd' }
               spec = @{ project = 'default'; source = @{ repoURL = 'https://git.example.com/shop.git'; path = 'overlays/dev'; targetRevision = 'main' }
                         destination = @{ server = $server; namespace = 'shop' } } } | Invoke-FleetApply -Cluster prod-a | Out-Null
            """).ThrowIfFailed();
        var refused = session.Run("Unregister-FleetArgoCluster -Cluster prod-b, dev-c -Confirm:$false");
        var still = session.Run("Register-FleetArgoCluster -WhatIf");
        var forced = session.Run("Unregister-FleetArgoCluster -Cluster dev-c -Force");

        refused.Output.Should().BeEmpty();
        var error = refused.TerminatingRecord!;
        error.FullyQualifiedErrorId.Should().StartWith("ArgoClusterInUse");
        error.CategoryInfo.Category.Should().Be(System.Management.Automation.ErrorCategory.InvalidOperation);
        error.TargetObject.Should().Be("dev-c");
        error.Exception.Message.Should().Be("Applications still deploy to cluster 'dev-c': shop-dev (argocd on prod-a). Nothing was changed.");
        still.Output.Cast<FleetArgoCluster>().Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);
        forced.Errors.Should().BeEmpty();
        forced.Output.Cast<FleetArgoCluster>().Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            Cluster = "dev-c", Action = FleetResourceAction.Deleted, Message = "Removed the cluster Secret and 4 argocd-manager object(s) in the cluster.",
        }, o => o.ExcludingMissingMembers());
        fixture.Emulator.AdminTokens.Should().HaveCount(3, "one admin token per emulated cluster");
        managerToken.Length.Should().BeGreaterThan(20, "it is the token Argo CD was given for prod-b");
        registered.Verbose.Should().Contain(l => l.StartsWith("GET prod-b /api/v1/namespaces/kube-system/secrets/argocd-manager-long-lived-token -> 200"))
            .And.Contain(l => l.StartsWith("PATCH prod-a /api/v1/namespaces/argocd/secrets/cluster-"), "the scan covers the calls that read and write the token");
        foreach (var run in new[] { preview, registered, again, refused, still, forced })
        {
            run.AllText().Should().NotContain("bearerToken").And.NotContain(managerToken);
            fixture.Emulator.AdminTokens.Any(run.AllText().Contains).Should().BeFalse();
        }
    }

    [Fact]
    public void A_management_cluster_not_in_the_fleet_stops_the_command_before_any_change()
    {
        using var session = fixture.NewSession();

        var result = session.Run("Register-FleetArgoCluster -ManagementCluster prod-x");

        result.Output.Should().BeEmpty();
        var error = result.TerminatingRecord!;
        error.FullyQualifiedErrorId.Should().StartWith("ClusterNotFound");
        error.CategoryInfo.Category.Should().Be(System.Management.Automation.ErrorCategory.ObjectNotFound);
        error.TargetObject.Should().Be("prod-x");
        error.Exception.Message.Should().StartWith("-ManagementCluster 'prod-x' is not a cluster of the fleet.");
    }

    [Fact]
    public void Argo_CD_in_another_namespace_must_be_named_and_nothing_is_changed_until_it_is()
    {
        using var session = fixture.NewSession();

        var result = session.Run("Register-FleetArgoCluster -ArgoNamespace gitops -Cluster dev-c");

        result.Output.Should().BeEmpty();
        var error = result.TerminatingRecord!;
        error.FullyQualifiedErrorId.Should().StartWith("ArgoNamespaceNotFound");
        error.CategoryInfo.Category.Should().Be(System.Management.Automation.ErrorCategory.ObjectNotFound);
        error.TargetObject.Should().Be("prod-a");
        error.Exception.Message.Should().Be("The management cluster 'prod-a' has no namespace 'gitops', where Argo CD keeps its cluster Secrets. Nothing was changed.");
    }

    [RequiresSharedCrdsFact]
    public void New_FleetApplicationSet_applies_per_cluster_replicas_then_reports_Unchanged_and_Get_FleetApplication_reads_each_cluster()
    {
        using var session = fixture.NewSession();
        const string command = """
            New-FleetApplicationSet web -RepoUrl https://git.example.com/web.git -Path 'overlays/{{region}}' -DestinationNamespace web `
                -Parameter @{ replicas = @{ 'prod-b' = 4; 'dev-c' = 1 } } -HelmParameter @{ replicaCount = '{{replicas}}' } -AutoSync -CreateNamespace `
                -Wave 'dev-*', 'prod-*'
            """;

        var preview = session.Run(command + " -WhatIf");
        var created = session.Run(command);
        var again = session.Run(command);
        var changed = session.Run(command.Replace("-AutoSync ", "") + " -WhatIf");

        preview.Errors.Should().BeEmpty();
        preview.Output.Cast<FleetResourceResult>().Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.WouldCreate);
        created.Errors.Should().BeEmpty();
        created.Output.Cast<FleetResourceResult>().Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            Cluster = "prod-a", Kind = "ApplicationSet", Namespace = "argocd", Name = "web", Action = FleetResourceAction.Created,
        }, o => o.ExcludingMissingMembers());
        again.Output.Cast<FleetResourceResult>().Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Unchanged);
        changed.Output.Cast<FleetResourceResult>().Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.WouldChange);

        // Argo CD itself does not run here: the Applications it would generate, with the status it would report, are created with kubectl.
        foreach (var (cluster, health) in new[] { ("prod-b", "Healthy"), ("dev-c", "Degraded") })
            fixture.CreateApplication($"{cluster}-web", "web", cluster, "Synced", health);
        var all = session.Run("Get-FleetApplication web");
        var prodOnly = session.Run("Get-FleetApplication -Selector env=prod");

        all.Errors.Should().BeEmpty();
        var applications = all.Output.Cast<FleetApplication>().ToList();
        applications.Should().HaveCount(2);
        applications.Select(a => (a.Cluster, a.Name, a.ApplicationSet, a.SyncStatus, a.HealthStatus)).Should().Equal(
            ("dev-c", "dev-c-web", "web", "Synced", "Degraded"), ("prod-b", "prod-b-web", "web", "Synced", "Healthy"));
        prodOnly.Output.Cast<FleetApplication>().Select(a => a.Cluster).Should().Equal("prod-b");
    }

    [RequiresSharedCrdsFact]
    public async Task Past_TimeoutSeconds_a_hanging_management_cluster_stops_New_FleetApplicationSet_and_Get_FleetApplication_with_ClusterTimeout()
    {
        using var session = fixture.NewSession();
        await fixture.Emulator.SetFaultsAsync(fixture.Emulator.Contexts[0], """{"hanging":true}""");
        try
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var applied = session.Run("New-FleetApplicationSet late -RepoUrl https://git.example.com/web.git -Path overlays -DestinationNamespace web -TimeoutSeconds 1");
            var read = session.Run("Get-FleetApplication -TimeoutSeconds 1");

            foreach (var result in new[] { applied, read })
            {
                result.Output.Should().BeEmpty();
                result.TerminatingRecord.Should().NotBeNull();
                result.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("ClusterTimeout");
                result.TerminatingRecord.Exception.Message.Should().Be("Cluster 'prod-a' did not finish within 1 seconds.");
            }
            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), "each command stops at its one-second timeout");
        }
        finally
        {
            await fixture.Emulator.SetFaultsAsync(fixture.Emulator.Contexts[0], "{}");
        }
        var late = session.Run("Get-FleetResource ApplicationSet -Cluster prod-a -Namespace argocd | Where-Object Name -eq late");
        late.Errors.Should().BeEmpty();
        late.Output.Should().BeEmpty("the hanging cluster was never asked to apply it");
    }

    [Fact]
    public void A_template_parameter_no_cluster_defines_stops_New_FleetApplicationSet_before_anything_is_written()
    {
        using var session = fixture.NewSession();
        var folder = Path.Combine(Path.GetTempPath(), "appset-" + Guid.NewGuid().ToString("N")[..6]);

        var result = session.Run("New-FleetApplicationSet web -RepoUrl https://git.example.com/web.git -Path 'overlays/{{replicas}}' -DestinationNamespace web -OutputPath $args[0]", folder);

        result.Output.Should().BeEmpty();
        var error = result.TerminatingRecord!;
        error.FullyQualifiedErrorId.Should().StartWith("TemplateParameterUndefined");
        error.CategoryInfo.Category.Should().Be(System.Management.Automation.ErrorCategory.InvalidArgument);
        error.TargetObject.Should().Be("replicas");
        error.Exception.Message.Should().Be("The template 'overlays/{{replicas}}' uses parameter 'replicas', but no element defines it (elements carry cluster, region, the fleet labels and -Parameter). Nothing was changed.");
        Directory.Exists(folder).Should().BeFalse();
    }
}
