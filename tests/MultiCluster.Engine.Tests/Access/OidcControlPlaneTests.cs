using System.Text.Json.Nodes;
using MultiCluster.Engine.Access;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Engine.Resources;
using MultiCluster.Engine.Tests.Lifecycle;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Access;

/// <summary>
/// Set-FleetOidc's engine against emulated management clusters holding the real Cluster API
/// CRDs: the patched KubeadmControlPlane must pass the CRD schema (strict field validation) in
/// v1beta2 and v1beta1, keep every other flag, file and volume, and converge.
/// </summary>
public sealed class OidcControlPlaneTests
{
    private static readonly OidcSettings Settings = OidcSettings.Create("https://dex.example.com", "kubernetes");

    private static async Task<KubeObject> CreateAsync(ManagementCluster management, string name, string version, string? clusterClass = null)
    {
        var spec = new FleetClusterSpec { Name = name, Provider = "Docker", KubernetesVersion = version, ClusterClass = clusterClass };
        var rendered = await new ClusterManifestService(management.Connector).RenderForAsync(spec, management.Cluster);
        var apply = new ApplyService(management.Connector);
        var results = await apply.ApplyAsync(apply.Plan([management.Cluster], rendered.Objects), new ApplyOptions()).ToListAsync();
        results.Should().HaveCount(rendered.Objects.Count).And.NotBeEmpty().And.OnlyContain(r => r.Action == FleetResourceAction.Created);
        return rendered.Objects.FirstOrDefault(o => o.Kind == "KubeadmControlPlane") ?? rendered.Objects.Single();
    }

    private static async Task<(List<OidcControlPlaneChange> Changes, List<FleetOutcome<OidcControlPlaneChange>> Failures)> PlanAsync(
        ManagementCluster management, FleetOidcMethod? method, params string[] clusters)
    {
        var outcomes = await new OidcControlPlaneService(management.Connector)
            .PlanAsync(management.Cluster, clusters.Select(c => new FleetCluster { Name = c }).ToList(), Settings, method, null, new FanOutOptions())
            .ToListAsync();
        return (outcomes.Where(o => o.Value is not null).Select(o => o.Value!).ToList(), outcomes.Where(o => o.Error is not null).ToList());
    }

    private static async Task<List<FleetResourceResult>> SetAsync(ManagementCluster management, FleetOidcMethod? method, bool whatIf, params string[] clusters)
    {
        var (changes, failures) = await PlanAsync(management, method, clusters);
        failures.Should().BeEmpty(string.Join("; ", failures.Select(f => f.Error!.Message)));
        return await new OidcControlPlaneService(management.Connector).ApplyAsync(management.Cluster, changes, whatIf, new FanOutOptions()).ToListAsync();
    }

    private static string Describe(IEnumerable<FleetResourceResult> results) => string.Join("; ", results.Select(r => $"{r.Action} {r.Message}"));

    private static Dictionary<string, string> Args(JsonNode? extraArgs) => extraArgs switch
    {
        JsonObject map => map.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()),
        JsonArray list => list.ToDictionary(e => e!["name"]!.GetValue<string>(), e => e!["value"]!.GetValue<string>()),
        _ => [],
    };

    [RequiresSharedCrdsFact]
    public async Task A_v1beta2_control_plane_gets_the_structured_configuration_and_keeps_its_other_flags()
    {
        await using var management = await ManagementCluster.StartAsync("mgmt-oidc2");
        var controlPlane = await CreateAsync(management, "dev-01", "v1.32.3");
        controlPlane.ApiVersion.Should().Be("controlplane.cluster.x-k8s.io/v1beta2");

        var first = await SetAsync(management, null, false, "dev-01");
        var second = await SetAsync(management, null, false, "dev-01");

        first.Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Configured, Describe(first));
        second.Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Unchanged, Describe(second));
        var spec = (await management.GetAsync(controlPlane))!.Json["spec"]!["kubeadmConfigSpec"]!;
        var apiServer = spec["clusterConfiguration"]!["apiServer"]!;
        apiServer["extraArgs"].Should().BeOfType<JsonArray>("v1beta2 writes flags as a list");
        var args = Args(apiServer["extraArgs"]);
        args.Should().Contain("authentication-config", OidcApiServerRenderer.AuthenticationConfigPath);
        args.Should().Contain("audit-log-maxage", "30").And.ContainKey("audit-policy-file");
        args.Keys.Should().NotContain(k => k.StartsWith("oidc-"));
        apiServer["extraVolumes"]!.AsArray().Select(v => v!["name"]!.GetValue<string>()).Should().Equal("audit-policy", "audit-logs", "authentication-config");
        var files = spec["files"]!.AsArray();
        files.Select(f => f!["path"]!.GetValue<string>()).Should().Equal(ClusterManifestRenderer.AuditPolicyPath, OidcApiServerRenderer.AuthenticationConfigPath);
        var document = (JsonObject)YamlJson.ParseAll(files[1]!["content"]!.GetValue<string>()).Single();
        document["apiVersion"]!.GetValue<string>().Should().Be("apiserver.config.k8s.io/v1beta1");
        document["jwt"]![0]!["issuer"]!["url"]!.GetValue<string>().Should().Be("https://dex.example.com");
    }

    [RequiresSharedCrdsFact]
    public async Task A_control_plane_written_between_the_read_and_the_patch_is_read_again_and_keeps_that_write()
    {
        await using var management = await ManagementCluster.StartAsync("mgmt-oidc-conflict");
        var controlPlane = await CreateAsync(management, "dev-02", "v1.32.3");
        var (changes, failures) = await PlanAsync(management, null, "dev-02");
        failures.Should().BeEmpty();
        // Someone else (the KubeadmControlPlane controller, an operator) writes the object after Set-FleetOidc read it.
        var api = new KubernetesClientApi((k8s.Kubernetes)management.Connector.Connect(management.Cluster).Client);
        var path = changes.Should().ContainSingle().Which.Type.ObjectPath(controlPlane.Namespace, controlPlane.Name);
        (await api.SendAsync(HttpMethod.Patch, path, """{"metadata":{"annotations":{"example.com/owner":"platform"}}}""", "application/merge-patch+json", CancellationToken.None))
            .IsSuccess.Should().BeTrue();

        var results = await new OidcControlPlaneService(management.Connector).ApplyAsync(management.Cluster, changes, false, new FanOutOptions()).ToListAsync();

        results.Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Configured, Describe(results));
        var after = (await management.GetAsync(controlPlane))!.Json;
        after["metadata"]!["annotations"]!["example.com/owner"]!.GetValue<string>().Should().Be("platform");
        Args(after["spec"]!["kubeadmConfigSpec"]!["clusterConfiguration"]!["apiServer"]!["extraArgs"])
            .Should().Contain("authentication-config", OidcApiServerRenderer.AuthenticationConfigPath);
    }

    [RequiresSharedCrdsFact]
    public async Task A_v1beta1_control_plane_gets_the_flags_in_its_map_and_keeps_its_other_flags()
    {
        await using var management = await ManagementCluster.StartV1Beta1Async("mgmt-oidc1");
        var controlPlane = await CreateAsync(management, "old-01", "v1.29.6");
        controlPlane.ApiVersion.Should().Be("controlplane.cluster.x-k8s.io/v1beta1");

        var first = await SetAsync(management, null, false, "old-01");
        var second = await SetAsync(management, null, false, "old-01");

        first.Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Configured, Describe(first));
        second.Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Unchanged, Describe(second));
        var apiServer = (await management.GetAsync(controlPlane))!.Json["spec"]!["kubeadmConfigSpec"]!["clusterConfiguration"]!["apiServer"]!;
        apiServer["extraArgs"].Should().BeOfType<JsonObject>("v1beta1 writes flags as a map");
        var args = Args(apiServer["extraArgs"]);
        args.Should().Contain("oidc-issuer-url", "https://dex.example.com").And.Contain("oidc-client-id", "kubernetes")
            .And.Contain("oidc-groups-prefix", "oidc:").And.Contain("audit-log-maxage", "30");
        args.Should().NotContainKey("authentication-config");
        apiServer["extraVolumes"]!.AsArray().Should().HaveCount(2, "the flags need no volume");
    }

    [RequiresSharedCrdsFact]
    public async Task A_v1beta1_control_plane_takes_the_structured_configuration_file_and_volume()
    {
        await using var management = await ManagementCluster.StartV1Beta1Async("mgmt-oidc1-structured");
        var controlPlane = await CreateAsync(management, "old-03", "v1.31.4");

        var results = await SetAsync(management, null, false, "old-03");

        results.Should().ContainSingle().Which.Action.Should().Be(FleetResourceAction.Configured, Describe(results));
        var spec = (await management.GetAsync(controlPlane))!.Json["spec"]!["kubeadmConfigSpec"]!;
        Args(spec["clusterConfiguration"]!["apiServer"]!["extraArgs"]).Should().Contain("authentication-config", OidcApiServerRenderer.AuthenticationConfigPath)
            .And.ContainKey("audit-policy-file");
        spec["clusterConfiguration"]!["apiServer"]!["extraVolumes"]!.AsArray().Should().HaveCount(3);
        spec["files"]!.AsArray().Select(f => f!["path"]!.GetValue<string>()).Should().Contain(OidcApiServerRenderer.AuthenticationConfigPath);
    }

    [RequiresSharedCrdsFact]
    public async Task With_a_ca_the_flags_point_at_the_ca_file_the_control_plane_writes()
    {
        await using var management = await ManagementCluster.StartAsync("mgmt-oidc-ca");
        var controlPlane = await CreateAsync(management, "dev-05", "v1.29.6");
        var caFile = Path.GetTempFileName();
        try
        {
            File.WriteAllText(caFile, "-----BEGIN CERTIFICATE-----\nMIIBdemo\n-----END CERTIFICATE-----\n");
            var settings = OidcSettings.Create("https://dex.example.com", "kubernetes", caFile: caFile);
            var service = new OidcControlPlaneService(management.Connector);
            var changes = await service.PlanAsync(management.Cluster, [new FleetCluster { Name = "dev-05" }], settings, null, "default", new FanOutOptions())
                .Select(o => o.Value!).ToListAsync();
            (await service.ApplyAsync(management.Cluster, changes, false, new FanOutOptions()).ToListAsync())
                .Single().Action.Should().Be(FleetResourceAction.Configured);
        }
        finally
        {
            File.Delete(caFile);
        }

        var spec = (await management.GetAsync(controlPlane))!.Json["spec"]!["kubeadmConfigSpec"]!;
        Args(spec["clusterConfiguration"]!["apiServer"]!["extraArgs"]).Should().Contain("oidc-ca-file", OidcApiServerRenderer.CaFilePath);
        var ca = spec["files"]!.AsArray().Single(f => f!["path"]!.GetValue<string>() == OidcApiServerRenderer.CaFilePath)!;
        ca["content"]!.GetValue<string>().Should().Contain("MIIBdemo");
        ca["permissions"]!.GetValue<string>().Should().Be("0644");
    }

    [RequiresSharedCrdsFact]
    public async Task Switching_method_removes_the_flags_the_api_server_refuses_together()
    {
        await using var management = await ManagementCluster.StartAsync("mgmt-oidc-switch");
        var controlPlane = await CreateAsync(management, "dev-02", "v1.33.1");

        (await SetAsync(management, FleetOidcMethod.Flags, false, "dev-02")).Single().Action.Should().Be(FleetResourceAction.Configured);
        Args((await management.GetAsync(controlPlane))!.Json["spec"]!["kubeadmConfigSpec"]!["clusterConfiguration"]!["apiServer"]!["extraArgs"])
            .Should().ContainKey("oidc-issuer-url");
        (await SetAsync(management, FleetOidcMethod.AuthenticationConfiguration, false, "dev-02")).Single().Action.Should().Be(FleetResourceAction.Configured);
        (await SetAsync(management, FleetOidcMethod.Flags, false, "dev-02")).Single().Action.Should().Be(FleetResourceAction.Configured);

        var spec = (await management.GetAsync(controlPlane))!.Json["spec"]!["kubeadmConfigSpec"]!;
        var args = Args(spec["clusterConfiguration"]!["apiServer"]!["extraArgs"]);
        args.Should().ContainKey("oidc-issuer-url").And.NotContainKey("authentication-config").And.ContainKey("audit-policy-file");
        spec["files"]!.AsArray().Select(f => f!["path"]!.GetValue<string>()).Should().Equal(ClusterManifestRenderer.AuditPolicyPath);
        spec["clusterConfiguration"]!["apiServer"]!["extraVolumes"]!.AsArray().Should().HaveCount(2);
    }

    [RequiresSharedCrdsFact]
    public async Task WhatIf_shows_the_fields_a_dry_run_would_change_and_changes_nothing()
    {
        await using var management = await ManagementCluster.StartAsync("mgmt-oidc-whatif");
        var controlPlane = await CreateAsync(management, "dev-03", "v1.32.3");
        var before = (await management.GetAsync(controlPlane))!.ResourceVersion;

        var results = await SetAsync(management, null, true, "dev-03");

        var result = results.Should().ContainSingle().Which;
        result.Action.Should().Be(FleetResourceAction.WouldChange, Describe(results));
        result.Changes.Select(c => c.Path).Should().Contain(p => p.StartsWith("spec.kubeadmConfigSpec.files", StringComparison.Ordinal));
        result.Changes.Select(c => c.Path).Should().Contain(p => p.StartsWith("spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraArgs", StringComparison.Ordinal));
        (await management.GetAsync(controlPlane))!.ResourceVersion.Should().Be(before);
    }

    [RequiresSharedCrdsFact]
    public async Task Missing_topology_and_too_old_clusters_fail_alone()
    {
        await using var management = await ManagementCluster.StartAsync("mgmt-oidc-fail");
        await CreateAsync(management, "dev-04", "v1.32.3");
        await CreateAsync(management, "cc-01", "v1.32.3", "quick-start");
        await CreateAsync(management, "old-02", "v1.29.6");

        var (changes, failures) = await PlanAsync(management, FleetOidcMethod.AuthenticationConfiguration, "dev-04", "cc-01", "nowhere", "old-02");

        changes.Select(c => c.Cluster.Name).Should().Equal("dev-04");
        failures.ToDictionary(f => f.Cluster, f => f.Error!.ErrorId).Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["cc-01"] = OidcErrorIds.ControlPlaneManagedByTopology,
            ["nowhere"] = OidcErrorIds.ControlPlaneNotFound,
            ["old-02"] = OidcErrorIds.OidcMethodNotSupported,
        });
    }
}
