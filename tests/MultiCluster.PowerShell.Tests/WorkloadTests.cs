using System.Management.Automation;
using MultiCluster.PowerShell.Tests.Infrastructure;

namespace MultiCluster.PowerShell.Tests;

/// <summary>Publish-FleetWorkload, Get-FleetWorkload, Compare-FleetWorkload and Remove-FleetWorkload against emulated clusters.</summary>
public sealed class WorkloadTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    // The KubeFed teaching example on the fixture's three clusters, replicas overridden on prod-b.
    private static string KubeFedDeployment(string ns, string name) => $"""
        apiVersion: types.kubefed.io/v1beta1
        kind: FederatedDeployment
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          template:
            metadata:
              labels:
                app: nginx
            spec:
              replicas: 3
              selector:
                matchLabels:
                  app: nginx
              template:
                metadata:
                  labels:
                    app: nginx
                spec:
                  containers:
                  - image: nginx
                    name: nginx
          placement:
            clusters:
            - name: prod-a
            - name: prod-b
            - name: dev-c
          overrides:
          - clusterName: prod-b
            clusterOverrides:
            - path: "/spec/replicas"
              value: 5
        """;

    [Fact]
    public void KubeFed_document_publishes_with_its_override_then_is_unchanged_and_WhatIf_changes_nothing()
    {
        using var session = fixture.NewSession();
        var ns = "kf-" + Guid.NewGuid().ToString("N")[..6];
        var document = KubeFedDeployment(ns, "web");
        CreateNamespace(session, ns);

        var conflict = session.Run("$args[0] | Publish-FleetWorkload -Cluster prod-a", document);
        conflict.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("PlacementConflict,", "the document carries its own placement");

        var preview = Results(session.Run("$args[0] | Publish-FleetWorkload -WhatIf", document));
        preview.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.WouldCreate);
        Statuses(session.Run("Get-FleetWorkload web -Namespace $args[0]", ns)).Should().HaveCount(3).And.OnlyContain(s => s.Present == false, "-WhatIf created nothing");

        var published = Results(session.Run("$args[0] | Publish-FleetWorkload", document));
        published.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Created);
        published.Select(r => r.Cluster).Should().BeEquivalentTo("prod-a", "prod-b", "dev-c");

        var statuses = Statuses(session.Run("Get-FleetWorkload web -Namespace $args[0]", ns));
        statuses.Should().HaveCount(3).And.OnlyContain(s => s.Present == true && s.Workload == "web");
        statuses.Single(s => s.Cluster == "prod-b").DesiredReplicas.Should().Be(5);
        statuses.Single(s => s.Cluster == "prod-a").DesiredReplicas.Should().Be(3);

        var again = Results(session.Run("$args[0] | Publish-FleetWorkload", document));
        again.Should().HaveCount(3).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);

        var changePreview = Results(session.Run("$args[0] | Publish-FleetWorkload -Override @{ 'prod-a' = @{ '/spec/replicas' = 7 } } -WhatIf", document));
        changePreview.Single(r => r.Cluster == "prod-a").Action.Should().Be(FleetResourceAction.WouldChange);
        Statuses(session.Run("Get-FleetWorkload web -Namespace $args[0] -Cluster prod-a", ns)).Single().DesiredReplicas.Should().Be(3, "-WhatIf changed nothing");
    }

    [Fact]
    public void A_hand_edit_shows_in_Compare_and_Remove_needs_Force_for_several_clusters()
    {
        using var session = fixture.NewSession();
        var ns = "drift-" + Guid.NewGuid().ToString("N")[..6];
        const string template = """
            @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'settings'; namespace = $args[0] }; data = @{ color = 'blue' } }
            """;
        CreateNamespace(session, ns);
        Results(session.Run(template + " | Publish-FleetWorkload -Selector 'env=prod'", ns))
            .Should().HaveCount(2).And.OnlyContain(r => r.Action == FleetResourceAction.Created);
        Drifts(session.Run(template + " | Compare-FleetWorkload -Selector 'env=prod'", ns)).Should().BeEmpty("nothing drifted yet");

        session.Run("""
            @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'settings'; namespace = $args[0] }; data = @{ color = 'red' } } |
              Invoke-FleetApply -Cluster prod-b -ForceConflicts
            """, ns).ThrowIfFailed();
        // Invoke-FleetApply applies under the same field manager, so it also drops the workload label: drift too.
        var drifts = Drifts(session.Run(template + " | Compare-FleetWorkload -Selector 'env=prod'", ns));
        drifts.Should().HaveCount(2).And.OnlyContain(d => d.Cluster == "prod-b" && d.DriftType == FleetDriftType.Changed);
        var drift = drifts.Should().ContainSingle(d => d.Path == "data.color").Subject;
        drift.Expected.Should().Be("blue");
        drift.Actual.Should().Be("red");

        Results(session.Run(template + " | Publish-FleetWorkload -Selector 'env=prod'", ns))
            .Single(r => r.Cluster == "prod-b").Action.Should().Be(FleetResourceAction.Configured, "publishing again heals the drift");
        Drifts(session.Run(template + " | Compare-FleetWorkload -Selector 'env=prod'", ns)).Should().BeEmpty();

        var refused = session.Run("Remove-FleetWorkload settings ConfigMap -Namespace $args[0]", ns);
        refused.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("DeletionLimitExceeded,", "removing from two clusters needs a raised -MaxClusters");
        Statuses(session.Run("Get-FleetWorkload settings ConfigMap -Namespace $args[0] -Selector 'env=prod'", ns))
            .Should().HaveCount(2).And.OnlyContain(s => s.Present == true, "the refused remove deleted nothing");

        var removed = Results(session.Run("Remove-FleetWorkload settings ConfigMap -Namespace $args[0] -MaxClusters 3 -Force", ns));
        removed.Where(r => r.Action == FleetResourceAction.Deleted).Select(r => r.Cluster).Should().BeEquivalentTo("prod-a", "prod-b");
        Statuses(session.Run("Get-FleetWorkload settings ConfigMap -Namespace $args[0]", ns)).Should().HaveCount(3).And.OnlyContain(s => s.Present == false);
    }

    [Fact]
    public void OutputPath_renders_per_cluster_files_and_sends_nothing()
    {
        using var session = fixture.NewSession();
        var ns = "render-" + Guid.NewGuid().ToString("N")[..6];
        var folder = Path.Combine(fixture.Emulator.Directory, ns);
        var manifests = session.Run("""
            @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'settings'; namespace = $args[0] }; data = @{ color = 'blue' } } |
              Publish-FleetWorkload -Cluster prod-* -OutputPath $args[1]
            """, ns, folder).ThrowIfFailed().Output.Cast<FleetManifest>().ToList();

        manifests.Select(m => m.Cluster).Should().BeEquivalentTo("prod-a", "prod-b");
        File.Exists(Path.Combine(folder, "prod-a.yaml")).Should().BeTrue();
        Statuses(session.Run("Get-FleetWorkload settings ConfigMap -Namespace $args[0]", ns)).Should().HaveCount(3).And.OnlyContain(s => s.Present == false);
    }

    [Fact]
    public void Karmada_rendering_sends_nothing_and_Prune_deletes_only_where_the_workload_is_no_longer_placed()
    {
        using var session = fixture.NewSession();
        var ns = "prune-" + Guid.NewGuid().ToString("N")[..6];
        CreateNamespace(session, ns);
        const string template = """
            @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'note'; namespace = $args[0] }; data = @{ text = 'hi' } }
            """;

        var karmada = session.Run(template + " | Publish-FleetWorkload -Selector 'env=prod' -Override @{ 'prod-b' = @{ '/data/text' = 'hallo' } } -As Karmada", ns)
            .ThrowIfFailed().Output.Cast<FleetManifest>().ToList();
        karmada.Should().HaveCount(3).And.OnlyContain(m => m.Cluster == "karmada");
        karmada.Select(m => m.Kind).Should().BeEquivalentTo("ConfigMap", "PropagationPolicy", "OverridePolicy");
        Statuses(session.Run("Get-FleetWorkload note ConfigMap -Namespace $args[0]", ns)).Should().HaveCount(3).And.OnlyContain(s => s.Present == false);

        Results(session.Run(template + " | Publish-FleetWorkload -Cluster 'prod-*'", ns)).Should().HaveCount(2);
        var moved = Results(session.Run(template + " | Publish-FleetWorkload -Cluster prod-a -Prune", ns));
        moved.Should().ContainSingle(r => r.Cluster == "prod-a").Which.Action.Should().Be(FleetResourceAction.Unchanged);
        moved.Where(r => r.Action == FleetResourceAction.Deleted).Select(r => r.Cluster).Should().Equal("prod-b");
        Statuses(session.Run("Get-FleetWorkload note ConfigMap -Namespace $args[0]", ns))
            .Where(s => s.Present == true).Select(s => s.Cluster).Should().Equal("prod-a");
    }

    private static void CreateNamespace(PowerShellSession session, string ns) =>
        session.Run("@{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = $args[0] } } | Invoke-FleetApply", ns).ThrowIfFailed();

    private static List<FleetResourceResult> Results(PowerShellResult result) =>
        result.ThrowIfFailed().Output.Cast<FleetResourceResult>().ToList();

    private static List<FleetWorkloadStatus> Statuses(PowerShellResult result) =>
        result.ThrowIfFailed().Output.Cast<FleetWorkloadStatus>().ToList();

    private static List<FleetDrift> Drifts(PowerShellResult result) =>
        result.ThrowIfFailed().Output.Cast<FleetDrift>().ToList();
}
