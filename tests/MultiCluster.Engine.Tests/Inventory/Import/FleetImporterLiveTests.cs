using System.Text;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Delivery;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Inventory.Import;
using MultiCluster.Engine.Reporting;
using MultiCluster.Engine.Tests.Connections;
using MultiCluster.Engine.Tests.FanOut;
using MultiCluster.Testing;
using MultiCluster.Testing.Controllers;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Inventory.Import;

/// <summary>
/// Import-Fleet -From ArgoCD and -From KubeFed over three emulated clusters that enforce RBAC and
/// issue service-account tokens: the first runs Argo CD and KubeFed (their real CRDs), the other two
/// are registered in Argo CD as argocd cluster add does (real argocd-manager tokens) and joined to
/// KubeFed with those tokens. Imported clusters are reached with the imported credentials only.
/// </summary>
public sealed class FleetImporterLiveTests : IAsyncLifetime
{
    private EmulatedFleet _fleet = null!;
    private FleetSession _session = null!;
    private readonly RecordingReporter _reporter = new();
    private readonly List<string> _tokens = [];

    private string Host => _fleet[0].Name;

    public async Task InitializeAsync()
    {
        _fleet = await EmulatedFleet.StartAsync(3, "imp" + Guid.NewGuid().ToString("N")[..4],
            configure: (_, o) => new EmulatedClusterOptions { Name = o.Name, Controllers = ControllerCatalog.Create("rbac", "serviceaccount-tokens") });
        if (SharedFiles.Crds is null) return;
        SharedCrds.LoadInto(_fleet[0], "argo-cd", "kubefed");
        foreach (var ns in new[] { "argocd", KubeFedFleetSource.DefaultNamespace }) _fleet[0].CreateObject(Namespace(ns));

        // Register the members in Argo CD exactly as Register-FleetArgoCluster does: real tokens, regions and labels on the Secrets.
        var connector = new EmulatorConnector(_fleet);
        var management = connector.Clusters[0] with { Role = FleetClusterRole.Management };
        var members = new[]
        {
            connector.Clusters[1] with { Region = "us-east-1", Labels = new Dictionary<string, string> { ["env"] = "prod" } },
            connector.Clusters[2] with { Region = "eu-central-1", Labels = new Dictionary<string, string> { ["env"] = "dev" } },
        };
        var registered = await new ArgoClusterService(connector).RegisterAsync(members, new ArgoRegistrationOptions { ManagementCluster = management }).ToListAsync();
        registered.Should().HaveCount(2).And.OnlyContain(r => r.Error == null);

        // Join them to KubeFed with the same tokens, as kubefedctl join leaves them: a KubeFedCluster and its token secret.
        foreach (var member in _fleet.Clusters.Skip(1))
        {
            var token = ArgoToken(member);
            _tokens.Add(token);
            _fleet[0].CreateObject(Secret(KubeFedFleetSource.DefaultNamespace, member.Name + "-token", new() { ["token"] = token }));
            _fleet[0].CreateObject(KubeFedCluster(member, member.Name + "-token"));
        }
        _session = new FleetSession(KubeconfigSource.FromPaths(_fleet.KubeconfigPath));
        _session.SetFleet(new Fleet { Name = "before", Clusters = [new FleetCluster { Name = "hub", Context = Host, Role = FleetClusterRole.Management }] });
    }

    public async Task DisposeAsync()
    {
        _session?.Dispose();
        await _fleet.DisposeAsync();
    }

    private static JsonObject Namespace(string name) => new() { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } };

    private static JsonObject Secret(string ns, string name, Dictionary<string, string> data, Dictionary<string, string>? labels = null) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject
        {
            ["name"] = name, ["namespace"] = ns,
            ["labels"] = new JsonObject((labels ?? []).Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))),
        },
        ["data"] = new JsonObject(data.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)Convert.ToBase64String(Encoding.UTF8.GetBytes(d.Value))))),
    };

    private JsonObject KubeFedCluster(EmulatedCluster member, string secret) => new()
    {
        ["apiVersion"] = KubeFedFleetSource.ApiVersion,
        ["kind"] = "KubeFedCluster",
        ["metadata"] = new JsonObject
        {
            ["name"] = member.Name, ["namespace"] = KubeFedFleetSource.DefaultNamespace,
            ["labels"] = new JsonObject { ["topology.kubernetes.io/region"] = member == _fleet[1] ? "us-east-1" : "eu-central-1", ["tier"] = "gold" },
        },
        ["spec"] = new JsonObject
        {
            ["apiEndpoint"] = member.Server.AbsoluteUri.TrimEnd('/'),
            ["caBundle"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(EmulatedCluster.CertificateAuthorityPem)),
            ["secretRef"] = new JsonObject { ["name"] = secret },
        },
    };

    private static string ArgoToken(EmulatedCluster member)
    {
        var secret = member.Store.Get(member.Registry.Find("", "secrets")!, "kube-system", "argocd-manager-long-lived-token")!;
        return Encoding.UTF8.GetString(Convert.FromBase64String((string)secret["data"]!["token"]!));
    }

    private async Task<IReadOnlyList<FleetCluster>> Import(FleetImportSource source, bool merge = false, string? path = null, bool force = false)
    {
        using var scope = FleetCallContext.Use(_reporter);
        return await new FleetImporter(_session).ImportAsync(new FleetImportRequest
        {
            Source = source, SourceCluster = "hub", Merge = merge, KubeconfigPath = path, Force = force,
        });
    }

    private async Task<List<FleetClusterHealth>> Health(IEnumerable<FleetCluster> clusters) =>
        await new ClusterHealthService(_session.Connector).TestAsync(clusters).ToListAsync();

    /// <summary>No token in what was reported, which holds the calls that read the tokens (<paramref name="tokenReads"/>), so there was something to look at.</summary>
    private void NoTokenReported(params string[] tokenReads)
    {
        _tokens.Should().HaveCount(2, "each member was joined with a token of its own");
        tokenReads.Should().NotBeEmpty();
        foreach (var call in tokenReads) _reporter.VerboseLines.Should().Contain(l => l.StartsWith($"{call} -> 200 ("), "the import reports its call {0}", call);
        _reporter.AllLines.Should().NotContain(line => _tokens.Any(line.Contains));
    }

    [RequiresSharedCrdsFact]
    public async Task Argo_CD_clusters_become_the_fleet_with_their_labels_and_are_reached_with_their_own_tokens()
    {
        var imported = await Import(FleetImportSource.ArgoCD);

        imported.Should().HaveCount(3);
        imported.Select(c => (c.Name, c.Role, c.Region, c.LabelText, c.Fleet)).Should().Equal(
            ("hub", FleetClusterRole.Management, null, "", "hub"),
            (_fleet[1].Name, FleetClusterRole.Workload, "us-east-1", "env=prod", "hub"),
            (_fleet[2].Name, FleetClusterRole.Workload, "eu-central-1", "env=dev", "hub"));
        imported.Skip(1).Should().OnlyContain(c => c.Context == c.Name && c.Kubeconfig == null, "the credentials are in the session's memory");
        _session.GetFleet().Clusters.Should().Equal(imported, "the imported clusters are the session's fleet");
        _session.Kubeconfig.Description.Should().EndWith("and 1 imported in memory");

        var health = await Health(imported);
        health.Should().HaveCount(3);
        health.Should().OnlyContain(h => h.Status == FleetHealthStatus.Healthy, string.Join("; ", health.Select(h => $"{h.Cluster}: {h.Reason}")));
        NoTokenReported("GET hub /api/v1/namespaces/argocd/secrets?limit=500&labelSelector=argocd.argoproj.io%2Fsecret-type%3Dcluster");

        // The members are reached with the argocd-manager tokens: once rotated, the imported ones no longer work.
        var connector = new EmulatorConnector(_fleet);
        await new ArgoClusterService(connector).RegisterAsync([connector.Clusters[1]], new ArgoRegistrationOptions { ManagementCluster = connector.Clusters[0], Rotate = true }).ToListAsync();
        var after = await Health([imported[1]]);
        after.Should().ContainSingle().Which.Status.Should().NotBe(FleetHealthStatus.Healthy, "the imported token was rotated away");
    }

    [RequiresSharedCrdsFact]
    public async Task Argo_CD_secrets_a_kubeconfig_cannot_express_are_reported_and_exec_and_aws_configs_become_exec_users()
    {
        _fleet[0].CreateObject(Secret("argocd", "in-cluster", new() { ["name"] = "in-cluster", ["server"] = ArgoCdFleetSource.InClusterServer, ["config"] = "{}" },
            new() { [ArgoCdFleetSource.SecretTypeLabel] = "cluster" }));
        _fleet[0].CreateObject(Secret("argocd", "no-credentials", new() { ["name"] = "bare", ["server"] = "https://10.9.9.9:6443", ["config"] = """{"tlsClientConfig":{"insecure":false}}""" },
            new() { [ArgoCdFleetSource.SecretTypeLabel] = "cluster" }));
        _fleet[0].CreateObject(Secret("argocd", "eks", new()
        {
            ["name"] = "eks-use1", ["server"] = "https://ABC.gr7.us-east-1.eks.amazonaws.com",
            ["config"] = """{"awsAuthConfig":{"clusterName":"eks-use1","roleARN":"arn:aws:iam::111122223333:role/argocd"},"tlsClientConfig":{"insecure":false,"caData":"Q0E="}}""",
        }, new() { [ArgoCdFleetSource.SecretTypeLabel] = "cluster", ["topology.kubernetes.io/region"] = "us-east-1" }));

        var imported = await Import(FleetImportSource.ArgoCD);

        imported.Select(c => c.Name).Should().Equal("hub", "eks-use1", _fleet[1].Name, _fleet[2].Name);
        imported[1].Region.Should().Be("us-east-1");
        _reporter.Warnings.Should().HaveCount(2);
        _reporter.Warnings.Should().Contain(w => w.Contains("argocd/in-cluster") && w.Contains("Argo CD's in-cluster"));
        _reporter.Warnings.Should().Contain(w => w.Contains("argocd/no-credentials") && w.Contains("('bare') is not importable: its config holds no bearerToken"));
        var kubeconfig = KubeconfigLoader.Load(_session.Kubeconfig);
        kubeconfig.ContextNames.Should().Contain("eks-use1");
    }

    [RequiresSharedCrdsFact]
    public async Task An_Argo_CD_secret_without_server_refuses_the_import_before_the_session_changes()
    {
        var before = _session.GetFleet();
        _fleet[0].CreateObject(Secret("argocd", "broken", new() { ["name"] = "broken", ["config"] = "{}" }, new() { [ArgoCdFleetSource.SecretTypeLabel] = "cluster" }));

        var act = () => Import(FleetImportSource.ArgoCD);

        var error = (await act.Should().ThrowAsync<FleetInputException>()).Which;
        (error.ErrorId, error.Category, error.Target).Should().Be((FleetImportErrorIds.FleetSourceInvalid, FleetErrorCategory.InvalidData, "hub"));
        error.Message.Should().Contain("Argo CD cluster secret argocd/broken on 'hub' has no 'server'").And.Contain("Nothing was imported");
        _session.GetFleet().Should().BeSameAs(before);
        _session.Kubeconfig.Description.Should().NotContain("imported in memory");
    }

    [RequiresSharedCrdsFact]
    public async Task KubeFed_clusters_are_imported_with_the_token_of_their_secret_and_reached()
    {
        var imported = await Import(FleetImportSource.KubeFed);

        imported.Should().HaveCount(3);
        imported.Select(c => (c.Name, c.Role, c.Region, c.LabelText)).Should().Equal(
            ("hub", FleetClusterRole.Management, null, ""),
            (_fleet[1].Name, FleetClusterRole.Workload, "us-east-1", "tier=gold"),
            (_fleet[2].Name, FleetClusterRole.Workload, "eu-central-1", "tier=gold"));
        var health = await Health(imported);
        health.Should().HaveCount(3).And.OnlyContain(h => h.Status == FleetHealthStatus.Healthy, string.Join("; ", health.Select(h => $"{h.Cluster}: {h.Reason}")));
        NoTokenReported($"GET hub /api/v1/namespaces/{KubeFedFleetSource.DefaultNamespace}/secrets/{_fleet[1].Name}-token",
            $"GET hub /api/v1/namespaces/{KubeFedFleetSource.DefaultNamespace}/secrets/{_fleet[2].Name}-token");
    }

    [RequiresSharedCrdsFact]
    public async Task A_KubeFedCluster_whose_secret_is_missing_refuses_the_import_naming_cluster_and_secret()
    {
        var before = _session.GetFleet();
        _fleet[0].CreateObject(KubeFedCluster(_fleet[1], "gone-token") is var orphan ? Renamed(orphan, "orphan") : null!);

        var act = () => Import(FleetImportSource.KubeFed);

        var error = (await act.Should().ThrowAsync<FleetInputException>()).Which;
        (error.ErrorId, error.Category, error.Target).Should().Be((FleetImportErrorIds.FleetSourceInvalid, FleetErrorCategory.InvalidData, "hub"));
        error.Message.Should().Be(
            $"Cannot import the KubeFed clusters of 'hub': KubeFedCluster kube-federation-system/orphan on 'hub' names the secret kube-federation-system/gone-token, which does not exist. Nothing was imported.");
        _session.GetFleet().Should().BeSameAs(before);
    }

    [RequiresSharedCrdsFact]
    public async Task Through_a_kubeconfig_of_its_own_the_session_takes_it_only_when_the_import_succeeds()
    {
        // A session whose kubeconfig knows none of the clusters: the source can be reached only through the one given.
        using var session = new FleetSession(KubeconfigSource.FromContent("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n"));
        session.SetFleet(new Fleet { Name = "before", Clusters = [new FleetCluster { Name = "hub", Context = Host, Role = FleetClusterRole.Management }] });
        var before = (session.GetFleet(), session.Kubeconfig);
        var request = new FleetImportRequest { Source = FleetImportSource.KubeFed, SourceCluster = "hub", Kubeconfig = KubeconfigLoader.Load(KubeconfigSource.FromPaths(_fleet.KubeconfigPath)) };
        using var scope = FleetCallContext.Use(_reporter);

        _fleet[0].CreateObject(Renamed(KubeFedCluster(_fleet[1], "gone-token"), "orphan"));
        var failed = () => new FleetImporter(session).ImportAsync(request with { Namespace = KubeFedFleetSource.DefaultNamespace });
        (await failed.Should().ThrowAsync<FleetInputException>()).Which.ErrorId.Should().Be(FleetImportErrorIds.FleetSourceInvalid,
            "the source was read through the kubeconfig given");
        (session.GetFleet(), session.Kubeconfig).Should().Be(before, "a failed import leaves the session's fleet and kubeconfig as they were");

        _fleet[0].Store.Delete(_fleet[0].Registry.Find("core.kubefed.io", "kubefedclusters")!, KubeFedFleetSource.DefaultNamespace, "orphan");
        var imported = await new FleetImporter(session).ImportAsync(request);

        imported.Should().HaveCount(3);
        session.Kubeconfig.Should().NotBeSameAs(before.Kubeconfig);
        var health = await new ClusterHealthService(session.Connector).TestAsync(imported).ToListAsync();
        health.Should().HaveCount(3).And.OnlyContain(h => h.Status == FleetHealthStatus.Healthy, string.Join("; ", health.Select(h => $"{h.Cluster}: {h.Reason}")));
    }

    private static JsonObject Renamed(JsonObject obj, string name)
    {
        obj["metadata"]!["name"] = name;
        return obj;
    }

    [RequiresSharedCrdsFact]
    public async Task Two_sources_yielding_one_name_refuse_the_merge_naming_both_and_change_nothing()
    {
        await Import(FleetImportSource.KubeFed);
        var before = _session.GetFleet();
        var description = _session.Kubeconfig.Description;

        var act = () => Import(FleetImportSource.ArgoCD, merge: true);

        var error = (await act.Should().ThrowAsync<FleetInputException>()).Which;
        (error.ErrorId, error.Category, error.Target).Should().Be((FleetImportErrorIds.FleetClusterNameConflict, FleetErrorCategory.ResourceExists, _fleet[1].Name));
        error.Message.Should().Contain($"Argo CD cluster secret argocd/").And.Contain($"is named '{_fleet[1].Name}', which is already the name of cluster '{_fleet[1].Name}' of fleet 'hub'");
        _session.GetFleet().Should().BeSameAs(before);
        _session.Kubeconfig.Description.Should().Be(description);
    }

    [RequiresSharedCrdsFact]
    public async Task A_merge_adds_the_clusters_to_the_fleet_and_keeps_the_others()
    {
        _session.SetFleet(new Fleet { Name = "ops", Clusters = [new FleetCluster { Name = "hub", Context = Host, Role = FleetClusterRole.Management, Region = "us-west-2" }] });

        var imported = await Import(FleetImportSource.KubeFed, merge: true);

        imported.Select(c => c.Name).Should().Equal(_fleet[1].Name, _fleet[2].Name);
        var fleet = _session.GetFleet();
        fleet.Name.Should().Be("ops");
        fleet.Clusters.Select(c => (c.Name, c.Region)).Should().Equal(("hub", "us-west-2"), (_fleet[1].Name, "us-east-1"), (_fleet[2].Name, "eu-central-1"));
    }

    [RequiresSharedCrdsFact]
    public async Task With_a_kubeconfig_path_the_credentials_go_to_an_owner_only_file_which_is_not_overwritten_unasked()
    {
        using var folder = new TempDirectory();
        var path = Path.Combine(folder.Path, "kubefed.kubeconfig");

        var imported = await Import(FleetImportSource.KubeFed, path: path);

        imported.Skip(1).Should().HaveCount(2).And.OnlyContain(c => c.Kubeconfig == path);
        if (!OperatingSystem.IsWindows()) File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.ReadAllText(path).Should().Contain(_tokens[0]);
        _session.Kubeconfig.Description.Should().NotContain("imported in memory");
        (await Health(imported)).Should().HaveSameCount(imported).And.OnlyContain(h => h.Status == FleetHealthStatus.Healthy);

        var before = _session.GetFleet();
        var again = () => Import(FleetImportSource.KubeFed, path: path);
        var error = (await again.Should().ThrowAsync<FleetInputException>()).Which;
        (error.ErrorId, error.Category, error.Target).Should().Be((FleetImportErrorIds.FleetFileExists, FleetErrorCategory.ResourceExists, path));
        _session.GetFleet().Should().BeSameAs(before);
        (await Import(FleetImportSource.KubeFed, path: path, force: true)).Should().HaveCount(3);
    }

    [RequiresSharedCrdsFact]
    public async Task A_cluster_without_the_source_installed_is_refused()
    {
        _session.SetFleet(new Fleet { Name = "before", Clusters = [new FleetCluster { Name = "hub", Context = _fleet[1].Name, Role = FleetClusterRole.Management }] });

        var act = () => Import(FleetImportSource.KubeFed);

        var error = (await act.Should().ThrowAsync<FleetInputException>()).Which;
        (error.ErrorId, error.Category, error.Target).Should().Be((FleetImportErrorIds.FleetSourceNotInstalled, FleetErrorCategory.NotInstalled, "hub"));
        error.Message.Should().Be("Cluster 'hub' does not serve KubeFedCluster (core.kubefed.io/v1beta1), so it does not run KubeFed.");
    }
}
