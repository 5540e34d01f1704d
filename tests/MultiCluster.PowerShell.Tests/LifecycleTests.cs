using System.Management.Automation;
using System.Text.RegularExpressions;
using MultiCluster.PowerShell.Tests.Infrastructure;
using MultiCluster.Testing;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.PowerShell.Tests;

/// <summary>
/// New-FleetCluster, Wait-FleetCluster, Get-FleetClusterCredential, Resize-FleetCluster and
/// Remove-FleetCluster against a management emulator with the real Cluster API CRDs.
/// </summary>
public sealed class LifecycleTests(ClusterApiFixture fixture) : IClassFixture<ClusterApiFixture>
{
    private static string NewName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..6];

    [RequiresSharedCrdsFact]
    public void Create_wait_merge_and_test_gives_a_reachable_cluster_then_resize_update_and_remove_change_it()
    {
        using var session = fixture.NewSession();
        var name = NewName("dev");
        var kubeconfig = Path.Combine(fixture.Management.Directory, name + ".kubeconfig");

        // Outside the default namespace: every later cmdlet finds the cluster by name through the fleet.
        session.Run("@{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'fleet-dev' } } | Invoke-FleetApply -Cluster mgmt").ThrowIfFailed();
        var created = session.Run("""
            New-FleetCluster $args[0] -Namespace fleet-dev -Provider Docker -KubernetesVersion v1.32.3 -ControlPlaneReplicas 1 -WorkerReplicas 2 -Labels @{ env = 'dev' } |
              Wait-FleetCluster -PollIntervalSeconds 1 -TimeoutSeconds 120 |
              Get-FleetClusterCredential -Merge -KubeconfigPath $args[1] |
              Test-FleetCluster
            """, name, kubeconfig);
        created.Errors.Should().BeEmpty();
        created.Terminating.Should().BeNull();
        var health = created.Output.Should().ContainSingle().Which.Should().BeOfType<FleetClusterHealth>().Subject;
        health.Cluster.Should().Be(name);
        health.Status.Should().Be(FleetHealthStatus.Healthy);
        health.ServerVersion.Should().Be("v1.32.3");
        health.NodeCount.Should().Be(3, "one control plane machine and two workers");
        created.Progress.Should().Contain(p => p.Activity == "Waiting for Cluster API clusters" && p.StatusDescription.Contains(name),
            "Wait-FleetCluster reports its progress per cluster");

        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(kubeconfig).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, "the kubeconfig holds credentials");
        var member = (FleetCluster)session.Run("Get-FleetCluster $args[0]", name).Output.Single()!;
        member.Phase.Should().Be("Provisioned");
        member.ManagementCluster.Should().Be("mgmt");
        member.Kubeconfig.Should().Be(kubeconfig);

        var resized = session.Run("""
            Resize-FleetCluster $args[0] -WorkerReplicas 4 -Confirm:$false |
              Wait-FleetCluster -PollIntervalSeconds 1 -TimeoutSeconds 120 |
              Test-FleetCluster
            """, name);
        resized.Errors.Should().BeEmpty();
        resized.Output.OfType<FleetClusterHealth>().Single().NodeCount.Should().Be(5, "the workers were scaled from two to four");

        var updated = session.Run("""
            Update-FleetCluster $args[0] -KubernetesVersion v1.33.0 -PollIntervalSeconds 1 -TimeoutSeconds 120 -Confirm:$false |
              Test-FleetCluster
            """, name);
        updated.Errors.Should().BeEmpty();
        updated.Terminating.Should().BeNull();
        var upgraded = updated.Output.OfType<FleetClusterHealth>().Single();
        (upgraded.ServerVersion, upgraded.NodeCount).Should().Be(("v1.33.0", 5), "the control plane and then the workers rolled to v1.33.0");

        session.Run("Remove-FleetCluster $args[0] -WhatIf", name).Output.Should().BeEmpty();
        session.Run("Get-FleetResource Cluster $args[0] -Namespace fleet-dev -ApiVersion cluster.x-k8s.io/v1beta2 -Cluster mgmt", name).Output
            .Should().ContainSingle("-WhatIf deleted nothing");

        var removed = session.Run("Remove-FleetCluster $args[0] -Wait -TimeoutSeconds 60 -Confirm:$false", name);
        removed.Errors.Should().BeEmpty();
        var result = removed.Output.Should().ContainSingle().Which.Should().BeOfType<FleetResourceResult>().Subject;
        (result.Cluster, result.Kind, result.Namespace, result.Name, result.Action).Should().Be(("mgmt", "Cluster", "fleet-dev", name, FleetResourceAction.Deleted));
        session.Run("Get-FleetResource Cluster $args[0] -Namespace fleet-dev -ApiVersion cluster.x-k8s.io/v1beta2 -Cluster mgmt", name).Output
            .Should().BeEmpty("the Cluster object is gone from the management cluster");
        session.Run("Get-FleetCluster $args[0]", name).Errors.Should().ContainSingle()
            .Which.FullyQualifiedErrorId.Should().StartWith("ClusterNotFound", "the cluster left the session's fleet");
    }

    [RequiresSharedCrdsFact]
    public void Kubeconfig_content_never_shows_in_any_stream_or_default_view()
    {
        using var session = fixture.NewSession();
        var name = NewName("sec");
        var kubeconfig = Path.Combine(fixture.Management.Directory, name + ".kubeconfig");
        session.Run("New-FleetCluster $args[0] -Provider Docker -KubernetesVersion v1.31.4 -WorkerReplicas 1 | Wait-FleetCluster -PollIntervalSeconds 1 -TimeoutSeconds 120",
            name).ThrowIfFailed();

        var runs = new[]
        {
            session.Run("Get-FleetClusterCredential $args[0] -Verbose -Debug", name),
            session.Run("Get-FleetClusterCredential $args[0] | ForEach-Object { $_.PSObject.Properties | ForEach-Object { '{0}={1}' -f $_.Name, $_.Value } }", name),
            session.Run("Get-FleetClusterCredential $args[0] | ForEach-Object { \"$_\" }", name),
            session.Run("Get-FleetClusterCredential $args[0] -Merge -KubeconfigPath $args[1] -Verbose -Debug", name, kubeconfig),
            session.Run("Get-FleetClusterCredential $args[0] -Namespace nowhere -Verbose", name),
        };
        runs[3].Errors.Should().BeEmpty();
        var content = File.ReadAllText(kubeconfig);
        var token = Regex.Match(content, @"token:\s*""?([^""\s]+)").Groups[1].Value;
        var certificateAuthority = Regex.Match(content, @"certificate-authority-data:\s*""?([^""\s]+)").Groups[1].Value;
        token.Should().NotBeEmpty();
        certificateAuthority.Should().NotBeEmpty();
        // The scans below look at something: the calls that read the kubeconfig Secret are in Verbose, the text forms in the output.
        foreach (var verbose in new[] { runs[0], runs[3] })
            verbose.Verbose.Should().Contain(l => l.StartsWith($"GET mgmt /api/v1/namespaces/default/secrets/{name}-kubeconfig -> 200 ("));
        runs[2].Output.Should().ContainSingle();
        foreach (var run in runs)
        {
            run.AllText().Should().NotContain(token).And.NotContain(certificateAuthority);
        }
        runs[1].Output.Should().Contain($"Context={name}-admin@{name}", "every property is listed, and none holds the content");
        runs[4].Errors.Should().ContainSingle().Which.FullyQualifiedErrorId.Should().StartWith("ClusterNotReady");

        var credential = (FleetClusterCredential)session.Run("Get-FleetClusterCredential $args[0]", name).Output.Single()!;
        credential.GetKubeconfig().Should().Contain(token, "the content is there for whoever asks for it");
        session.Run("Remove-FleetCluster $args[0] -Confirm:$false", name).ThrowIfFailed();
    }

    [RequiresSharedCrdsFact]
    public void A_merge_keeps_the_other_contexts_of_the_file_and_the_file_owner_only()
    {
        using var session = fixture.NewSession();
        var (first, second) = (NewName("m1"), NewName("m2"));
        // A folder of its own (not one the secret canary of a concurrent scenario reads): the file starts readable by others on purpose.
        var folder = Directory.CreateTempSubdirectory("mc-merge-").FullName;
        var kubeconfig = Path.Combine(folder, first + ".kubeconfig");
        OwnerOnlyFile.Write(kubeconfig, File.ReadAllText(fixture.Management.Kubeconfig));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(kubeconfig, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var merged = session.Run("""
            @(New-FleetCluster $args[0] -Provider Docker -KubernetesVersion v1.32.3 -WorkerReplicas 1 -PodCidr 10.60.0.0/16
              New-FleetCluster $args[1] -Provider Docker -KubernetesVersion v1.32.3 -WorkerReplicas 1 -PodCidr 10.61.0.0/16) |
              Wait-FleetCluster -PollIntervalSeconds 1 -TimeoutSeconds 120 |
              Get-FleetClusterCredential -Merge -KubeconfigPath $args[2] |
              Test-FleetCluster
            """, first, second, kubeconfig);
        merged.Errors.Should().BeEmpty();
        merged.Output.OfType<FleetClusterHealth>().Select(h => (h.Cluster, h.Status)).Should()
            .BeEquivalentTo([(first, FleetHealthStatus.Healthy), (second, FleetHealthStatus.Healthy)]);
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(kubeconfig).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, "a merge tightens a file others could read");
        var text = File.ReadAllText(kubeconfig);
        text.Should().Contain(fixture.Management.Contexts[0]).And.Contain($"{first}-admin@{first}").And.Contain($"{second}-admin@{second}");
        var management = session.Run("Test-FleetCluster -Cluster mgmt");
        management.Output.OfType<FleetClusterHealth>().Single().Status.Should().Be(FleetHealthStatus.Healthy, "the other clusters of the fleet still connect");

        session.Run("Remove-FleetCluster $args[0], $args[1] -MaxClusters 2 -Confirm:$false", first, second).ThrowIfFailed();
        Directory.Delete(folder, recursive: true);
    }

    [RequiresSharedCrdsFact]
    public void Wait_reports_phase_and_failing_condition_when_time_runs_out_and_others_still_finish()
    {
        using var session = fixture.NewSession();
        var name = NewName("slow");
        session.Run("New-FleetCluster $args[0] -Provider Docker -KubernetesVersion v1.32.3 -WorkerReplicas 1", name).ThrowIfFailed();

        var waited = session.Run("Wait-FleetCluster $args[0], 'missing' -TimeoutSeconds 1 -PollIntervalSeconds 1", name);
        waited.Errors.Should().HaveCount(2);
        var timedOut = waited.Errors.Single(e => e.TargetObject as string == name);
        timedOut.FullyQualifiedErrorId.Should().StartWith("ClusterNotReady");
        timedOut.CategoryInfo.Category.Should().Be(ErrorCategory.OperationTimeout);
        timedOut.Exception.Message.Should().MatchRegex("phase (Pending|Provisioning)").And.Contain("failing condition");
        waited.Errors.Single(e => e.TargetObject as string == "missing").FullyQualifiedErrorId.Should().StartWith("ClusterNotFound");

        var ready = session.Run("Wait-FleetCluster $args[0] -PollIntervalSeconds 1 -TimeoutSeconds 120", name);
        ready.Errors.Should().BeEmpty();
        ready.Output.OfType<FleetCluster>().Single().Phase.Should().Be("Provisioned");
        session.Run("Remove-FleetCluster $args[0] -Confirm:$false", name).ThrowIfFailed();
    }

    [RequiresSharedCrdsFact]
    public void WhatIf_creates_nothing_and_OutputPath_renders_without_a_cluster()
    {
        using var session = fixture.NewSession();
        var name = NewName("wi");
        var preview = session.Run("New-FleetCluster $args[0] -Provider Docker -KubernetesVersion v1.32.3 -WhatIf", name);
        preview.Errors.Should().BeEmpty();
        preview.Output.OfType<FleetResourceResult>().Should().Contain(r => r.Kind == "Cluster" && r.Action == FleetResourceAction.WouldCreate);
        session.Run("Get-FleetResource Cluster $args[0] -ApiVersion cluster.x-k8s.io/v1beta2 -Cluster mgmt", name).Output.Should().BeEmpty();

        var folder = Path.Combine(fixture.Management.Directory, name);
        var rendered = session.Run("New-FleetCluster $args[0] -Provider AWS -Region eu-west-1 -AvailabilityZone eu-west-1a, eu-west-1b -KubernetesVersion v1.32.3 -OutputPath $args[1] -ApiVersion V1Beta1",
            name, folder);
        rendered.Errors.Should().BeEmpty();
        var manifests = rendered.Output.OfType<FleetManifest>().ToList();
        manifests.Select(m => m.Kind).Should().Contain(["Cluster", "AWSCluster", "KubeadmControlPlane", "MachineDeployment", "KubeadmConfigTemplate"]);
        File.ReadAllText(Path.Combine(folder, name + ".yaml")).Should().Contain("cluster.x-k8s.io/v1beta1");
    }

    [RequiresSharedCrdsFact]
    public void AWS_bootstrap_credentials_are_written_to_the_secret_and_never_shown()
    {
        using var session = fixture.NewSession();
        var name = NewName("aws");
        // Both keys carry the canary marker, so the per-run scan finds them wherever they escape.
        var (keyId, secretKey) = ("AKIA" + SecretCanary.NewToken(8), SecretCanary.NewToken() + "SecretPart");
        var credentialsFile = Path.Combine(fixture.Management.Directory, name + ".credentials");
        // Private, as ~/.aws/credentials is.
        OwnerOnlyFile.Write(credentialsFile, $"[lifecycle-test]\naws_access_key_id = {keyId}\naws_secret_access_key = {secretKey}\n");
        session.Run("@{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'capa-system' } } | Invoke-FleetApply -Cluster mgmt").ThrowIfFailed();

        // The variable is set only while this one command runs, so no other test's credential chain sees it.
        var created = session.Run("""
            [Environment]::SetEnvironmentVariable('AWS_SHARED_CREDENTIALS_FILE', $args[1])
            try {
              New-FleetCluster $args[0] -Provider AWS -Region eu-west-1 -AvailabilityZone eu-west-1a -KubernetesVersion v1.32.3 -WorkerReplicas 1 `
                -BootstrapCredentials -AwsProfile lifecycle-test -Verbose -Debug
            } finally { [Environment]::SetEnvironmentVariable('AWS_SHARED_CREDENTIALS_FILE', $null) }
            """, name, credentialsFile);
        created.Errors.Should().BeEmpty();
        created.Output.OfType<FleetCluster>().Single().Provider.Should().Be("AWS");
        created.Verbose.Should().Contain(v => v.Contains("Secret capa-system/capa-manager-bootstrap-credentials"));

        var secret = session.Run("Get-FleetResource Secret capa-manager-bootstrap-credentials -Namespace capa-system -Cluster mgmt").Output
            .OfType<FleetResource>().Single();
        var data = (System.Collections.IDictionary)secret.Object["data"]!;
        var profile = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)data["credentials"]!));
        profile.Should().Contain($"aws_access_key_id = {keyId}").And.Contain($"aws_secret_access_key = {secretKey}").And.Contain("region = eu-west-1");
        var encoded = (string)data["credentials"]!;
        created.AllText().Should().NotContain(keyId).And.NotContain(secretKey).And.NotContain(encoded);
        session.Run("Remove-FleetCluster $args[0] -Confirm:$false", name).ThrowIfFailed();
    }

    [RequiresSharedCrdsFact]
    public void Bad_input_stops_before_anything_is_created()
    {
        using var session = fixture.NewSession();
        var cases = new (string Arguments, string ErrorId)[]
        {
            ("-Name Dev_Cluster -Provider Docker -KubernetesVersion v1.32.3", "ClusterNameInvalid"),
            ("-Name bad-version -Provider Docker -KubernetesVersion 1.32.3", "KubernetesVersionInvalid"),
            ("-Name bad-cidr -Provider Docker -KubernetesVersion v1.32.3 -PodCidr 10.0.0.0/33", "CidrInvalid"),
            ("-Name overlap -Provider Docker -KubernetesVersion v1.32.3 -PodCidr 10.96.0.0/16 -ServiceCidr 10.96.0.0/12", "CidrOverlap"),
            ("-Name fleet-overlap -Provider Docker -KubernetesVersion v1.32.3 -PodCidr 10.20.128.0/17", "CidrOverlap"),
            ("-Name even -Provider Docker -KubernetesVersion v1.32.3 -ControlPlaneReplicas 2", "ControlPlaneReplicasInvalid"),
            ("-Name unknown -Provider vSphere -KubernetesVersion v1.32.3", "ProviderUnknown"),
            ("-Name no-region -Provider AWS -KubernetesVersion v1.32.3", "ProviderParameterInvalid"),
            ("-Name bad-label -Provider Docker -KubernetesVersion v1.32.3 -Labels @{ 'bad key' = 'x' }", "LabelInvalid"),
            ("-Name no-mgmt -Provider Docker -KubernetesVersion v1.32.3 -ManagementCluster nope", "ClusterNotFound"),
            ("-Name creds -Provider Docker -KubernetesVersion v1.32.3 -BootstrapCredentials", "ProviderParameterInvalid"),
        };
        foreach (var (arguments, errorId) in cases)
        {
            var result = session.Run("New-FleetCluster " + arguments);
            result.TerminatingRecord.Should().NotBeNull(arguments);
            result.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith(errorId + ",", arguments);
            result.TerminatingRecord.CategoryInfo.Category.Should().BeOneOf(ErrorCategory.InvalidArgument, ErrorCategory.ObjectNotFound);
        }
        session.Run("Get-FleetResource Cluster -ApiVersion cluster.x-k8s.io/v1beta2 -Cluster mgmt -AllNamespaces").Output
            .OfType<FleetResource>().Select(r => r.Name)
            .Should().NotContain(cases.Select(c => c.Arguments.Split(' ')[1]), "nothing was created for bad input");

        foreach (var command in new[] { "Wait-FleetCluster {0}", "Get-FleetClusterCredential {0}", "Resize-FleetCluster {0} -WorkerReplicas 1 -Confirm:$false", "Remove-FleetCluster {0} -Confirm:$false" })
        {
            session.Run(string.Format(command, "some-cluster -Namespace Bad_NS")).TerminatingRecord!
                .FullyQualifiedErrorId.Should().StartWith("NamespaceInvalid,", command);
            session.Run(string.Format(command, "some-cluster -ManagementCluster nope")).TerminatingRecord!
                .FullyQualifiedErrorId.Should().StartWith("ClusterNotFound,", command);
        }

        var overlap = session.Run("New-FleetCluster fleet-overlap -Provider Docker -KubernetesVersion v1.32.3 -PodCidr 10.20.128.0/17");
        overlap.TerminatingRecord!.Exception.Message.Should().Contain("'bare'", "the message names the cluster whose pod range it overlaps");
    }

    [RequiresSharedCrdsFact]
    public void A_management_cluster_without_Cluster_API_says_how_to_install_it()
    {
        using var session = fixture.NewSession();
        var result = session.Run("New-FleetCluster no-capi -Provider Docker -KubernetesVersion v1.32.3 -ManagementCluster bare");
        result.Output.Should().BeEmpty("nothing was created");
        var error = result.Errors.Should().ContainSingle().Subject;
        error.FullyQualifiedErrorId.Should().StartWith("ClusterApiNotInstalled,");
        error.CategoryInfo.Category.Should().Be(ErrorCategory.NotInstalled);
        error.TargetObject.Should().Be("bare");
        error.ErrorDetails.RecommendedAction.Should().Contain("clusterctl init --infrastructure docker");
    }

    [RequiresSharedCrdsFact]
    public void Removing_a_Cluster_object_that_is_not_there_keeps_a_fleet_member_it_never_was()
    {
        using var session = fixture.NewSession();

        var result = session.Run("Remove-FleetCluster bare -Confirm:$false");

        result.Errors.Should().BeEmpty();
        result.Output.Should().ContainSingle().Which.Should().BeOfType<FleetResourceResult>()
            .Which.Action.Should().Be(FleetResourceAction.NotFound);
        session.Run("Get-FleetCluster bare").Output.Should().ContainSingle("'bare' is not a Cluster API cluster of mgmt, so it stays in the fleet");
    }

    [RequiresSharedCrdsFact]
    public void An_unreachable_management_cluster_is_named_and_nothing_is_created()
    {
        // The management cluster's kubeconfig pointing at a port nobody listens on.
        var context = fixture.Management.Contexts[0];
        var kubeconfig = Path.Combine(fixture.Management.Directory, "unreachable-" + Guid.NewGuid().ToString("N")[..6]);
        OwnerOnlyFile.Write(kubeconfig, File.ReadAllText(fixture.Management.Kubeconfig)
            .Replace(fixture.Management.Servers[context].GetLeftPart(UriPartial.Authority), "https://127.0.0.1:9"));
        using var session = new PowerShellSession();
        session.Run("Import-Fleet -Content $args[0] -Kubeconfig $args[1]",
            $"name: gone\nclusters:\n  - name: gone-mgmt\n    context: {context}\n    role: management\n", kubeconfig).ThrowIfFailed();

        var result = session.Run("New-FleetCluster dev-unreachable -Provider Docker -KubernetesVersion v1.32.3");

        result.Output.Should().BeEmpty("nothing was created");
        var error = result.Errors.Concat(result.TerminatingRecord is { } t ? [t] : []).Should().ContainSingle().Subject;
        error.FullyQualifiedErrorId.Should().StartWith("ClusterUnreachable,");
        error.TargetObject.Should().Be("gone-mgmt");
        error.Exception.Message.Should().Contain("gone-mgmt");
    }

    [RequiresSharedCrdsFact]
    public void Piped_specs_are_all_checked_before_any_is_created_then_each_is_created()
    {
        using var session = fixture.NewSession();
        var (first, second) = (NewName("p1"), NewName("p2"));
        var overlapping = session.Run("""
            @([pscustomobject]@{ Name = $args[0]; Provider = 'Docker'; KubernetesVersion = 'v1.32.3'; PodCidr = '10.70.0.0/16' }
              [pscustomobject]@{ Name = $args[1]; Provider = 'Docker'; KubernetesVersion = 'v1.32.3'; PodCidr = '10.70.128.0/17' }) | New-FleetCluster
            """, first, second);
        overlapping.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("CidrOverlap,");
        overlapping.TerminatingRecord.Exception.Message.Should().Contain(first, "the second cluster's pod range overlaps the first one's");
        session.Run("Get-FleetResource Cluster $args[0] -ApiVersion cluster.x-k8s.io/v1beta2 -Cluster mgmt", first).Output
            .Should().BeEmpty("the first cluster was not created either");

        var created = session.Run("""
            @([pscustomobject]@{ Name = $args[0]; Provider = 'Docker'; KubernetesVersion = 'v1.32.3'; WorkerReplicas = 1; PodCidr = '10.70.0.0/16' }
              [pscustomobject]@{ Name = $args[1]; Provider = 'Docker'; KubernetesVersion = 'v1.31.4'; WorkerReplicas = 3; PodCidr = '10.71.0.0/16' }) | New-FleetCluster
            """, first, second);
        created.Errors.Should().BeEmpty();
        created.Output.OfType<FleetCluster>().Select(c => (c.Name, c.Phase, c.KubernetesVersion, c.ManagementCluster)).Should()
            .Equal((first, "Pending", "v1.32.3", "mgmt"), (second, "Pending", "v1.31.4", "mgmt"));
        session.Run("Remove-FleetCluster $args[0], $args[1] -MaxClusters 2 -Confirm:$false", first, second).ThrowIfFailed();
    }
}
