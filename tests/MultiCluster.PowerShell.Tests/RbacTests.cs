using MultiCluster.PowerShell.Tests.Infrastructure;

namespace MultiCluster.PowerShell.Tests;

/// <summary>Three emulated clusters that enforce RBAC (the emulator's "rbac" controller), as kube-apiserver with --authorization-mode=RBAC.</summary>
public sealed class RbacEmulatorFixture() : EmulatorFixture("rbac");

/// <summary>
/// Set-FleetRbac, Get-FleetRbac and Test-FleetRbac against clusters that enforce RBAC, with what
/// the roles grant checked by the real kubectl: impersonated group members and service-account tokens.
/// </summary>
public sealed class RbacTests(RbacEmulatorFixture fixture) : IClassFixture<RbacEmulatorFixture>
{
    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..6];

    private const string ConfigMapReaders = """
        Set-FleetRbac -Name $args[0] -Rule @{ apiGroups = ''; resources = 'configmaps'; verbs = 'get', 'list' } -Group $args[1] -ServiceAccount $args[2]
        """;

    [RequiresKubectlFact]
    public async Task A_group_member_and_a_bound_service_account_can_do_what_the_rules_say_on_every_cluster_and_no_more()
    {
        using var session = fixture.NewSession();
        var name = Unique("cm-readers");
        var group = Unique("ops");
        var ns = Unique("team");
        CreateNamespaceWithServiceAccount(session, ns, "reader");

        var preview = Results(session.Run(ConfigMapReaders + " -WhatIf", name, group, $"{ns}/reader"));
        preview.Should().HaveCount(6).And.OnlyContain(r => r.Action == FleetResourceAction.WouldCreate);
        Grants(session.Run("Get-FleetRbac $args[0]", name)).Should().BeEmpty("-WhatIf created nothing");

        var firstRun = session.Run(ConfigMapReaders, name, group, $"{ns}/reader");
        fixture.Emulator.AdminTokens.Should().HaveCount(3, "one admin token per emulated cluster");
        fixture.Emulator.AdminTokens.Any(firstRun.AllText().Contains).Should().BeFalse("no admin token appears in any stream");
        var first = Results(firstRun);
        first.Should().HaveCount(6).And.OnlyContain(r => r.Action == FleetResourceAction.Created);
        first.Select(r => r.Kind).Distinct().Should().BeEquivalentTo("ClusterRole", "ClusterRoleBinding");
        var second = Results(session.Run(ConfigMapReaders, name, group, $"{ns}/reader"));
        second.Should().HaveCount(6).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);

        foreach (var context in fixture.Contexts)
        {
            (await CanI(context, "list", "configmaps", "-n", ns, "--as", "jane", "--as-group", group)).Should().Be("yes", context);
            (await CanI(context, "get", "configmaps", "-A", "--as", "jane", "--as-group", group)).Should().Be("yes", "a ClusterRole binding grants every namespace");
            (await CanI(context, "list", "secrets", "-n", ns, "--as", "jane", "--as-group", group)).Should().Be("no");
            (await CanI(context, "delete", "configmaps", "-n", ns, "--as", "jane", "--as-group", group)).Should().Be("no");
            (await CanI(context, "list", "configmaps", "-n", ns, "--as", "bob", "--as-group", "devs")).Should().Be("no", "bob is not in the group");

            var token = await Admin(context, "create", "token", "reader", "-n", ns);
            token.Stdout.Trim().Should().NotBeEmpty();
            var configMaps = await Kubectl.RunAsync(fixture.Kubeconfig, context, "get", "configmaps", "-n", ns, "--token", token.Stdout.Trim());
            var secrets = await Kubectl.RunAsync(fixture.Kubeconfig, context, "get", "secrets", "-n", ns, "--token", token.Stdout.Trim());

            configMaps.ExitCode.Should().Be(0, $"the service account lists configmaps on {context}: {configMaps.Stderr}");
            secrets.ExitCode.Should().NotBe(0);
            secrets.Stderr.Should().Contain($"User \"system:serviceaccount:{ns}:reader\" cannot list resource \"secrets\"");
            // Checked without FluentAssertions' string assertions, whose failure message would print the token.
            (configMaps.Stdout + configMaps.Stderr + secrets.Stdout + secrets.Stderr).Contains(token.Stdout.Trim()).Should().BeFalse("kubectl never echoes the token");
        }
    }

    [RequiresKubectlFact]
    public async Task A_namespaced_role_grants_named_objects_in_its_namespace_only()
    {
        using var session = fixture.NewSession();
        var ns = Unique("apps");
        CreateNamespaceWithServiceAccount(session, ns, "ci");

        var results = Results(session.Run("""
            Set-FleetRbac deployer -Namespace $args[0] -Rule @{ apiGroups = 'apps'; resources = 'deployments'; verbs = 'get', 'patch'; resourceNames = 'web' } `
              -User jane -ServiceAccount ci -Selector 'env=prod'
            """, ns));

        results.Should().HaveCount(4).And.OnlyContain(r => r.Action == FleetResourceAction.Created && r.Namespace == ns);
        results.Select(r => r.Kind).Distinct().Should().BeEquivalentTo("Role", "RoleBinding");
        var grant = Grants(session.Run("Get-FleetRbac deployer -Namespace $args[0]", ns)).Should().HaveCount(2).And.Subject.First();
        grant.RoleKind.Should().Be("Role");
        grant.Subjects.Should().BeEquivalentTo("User:jane", $"ServiceAccount:{ns}/ci");
        grant.RuleText.Should().Be("[get,patch] apps/deployments (web)");

        foreach (var context in fixture.Contexts.Take(2))
        {
            (await CanI(context, "patch", "deployments/web", "-n", ns, "--as", "jane")).Should().Be("yes");
            (await CanI(context, "patch", "deployments/api", "-n", ns, "--as", "jane")).Should().Be("no", "resourceNames limits the rule to web");
            (await CanI(context, "patch", "deployments/web", "-n", "default", "--as", "jane")).Should().Be("no", "a Role grants in its namespace only");
            (await CanI(context, "get", "deployments/web", "-n", ns, "--as", $"system:serviceaccount:{ns}:ci")).Should().Be("yes");
        }
        (await CanI(fixture.Contexts[2], "patch", "deployments/web", "-n", ns, "--as", "jane")).Should().Be("no", "dev-c is not selected");
    }

    [RequiresKubectlFact]
    public async Task Existing_cluster_roles_are_bound_without_being_managed()
    {
        using var session = fixture.NewSession();
        var (viewers, editors, ns) = (Unique("oidc-viewers"), Unique("team-edit"), Unique("team"));
        CreateNamespaceWithServiceAccount(session, ns, "ci");

        var bound = Results(session.Run("""
            Set-FleetRbac $args[0] -ClusterRole view -Group 'oidc:viewers'
            Set-FleetRbac $args[1] -Namespace $args[2] -ClusterRole edit -User jane
            """, viewers, editors, ns));

        bound.Select(r => (r.Kind, r.Name)).Distinct().Should().BeEquivalentTo(new[] { ("ClusterRoleBinding", viewers), ("RoleBinding", editors) });
        bound.Should().HaveCount(6).And.OnlyContain(r => r.Action == FleetResourceAction.Created);
        var grants = Grants(session.Run("Get-FleetRbac $args[0], $args[1]", viewers, editors));
        grants.Where(g => g.Rbac == viewers).Should().HaveCount(3).And.OnlyContain(g => g.RoleName == "view" && g.RoleKind == "ClusterRole"
            && g.Namespace == null && g.SubjectText == "Group:oidc:viewers" && g.Rules.Count > 0);
        grants.Where(g => g.Rbac == editors).Should().HaveCount(3).And.OnlyContain(g => g.RoleName == "edit" && g.Namespace == ns);
        Drifts(session.Run("Test-FleetRbac $args[0] -ClusterRole view -Group 'oidc:viewers'", viewers)).Should().BeEmpty();
        Drifts(session.Run("Test-FleetRbac $args[0] -ClusterRole no-such-role -Group 'oidc:viewers' -Cluster prod-a", viewers))
            .Select(d => (d.DriftType, d.Expected, d.Actual)).Should().BeEquivalentTo(new[]
            {
                (FleetRbacDriftType.MissingRole, "no-such-role", (string?)null),
                (FleetRbacDriftType.ChangedRoleRef, "ClusterRole/no-such-role", "ClusterRole/view"),
            });

        foreach (var context in fixture.Contexts)
        {
            (await CanI(context, "list", "configmaps", "-n", ns, "--as", "someone", "--as-group", "oidc:viewers")).Should().Be("yes");
            (await CanI(context, "list", "secrets", "-n", ns, "--as", "someone", "--as-group", "oidc:viewers")).Should().Be("no", "view does not read secrets");
            (await CanI(context, "create", "configmaps", "-n", ns, "--as", "jane")).Should().Be("yes");
            (await CanI(context, "create", "configmaps", "-n", "default", "--as", "jane")).Should().Be("no", "the RoleBinding grants edit in its namespace only");
            await AdminOk(context, "get", "clusterrole", "view"); // bound, never replaced or labelled
        }
        (await Admin(fixture.Contexts[0], "get", "clusterrole", "view", "-o", "jsonpath={.metadata.labels}")).Stdout.Should().NotContain("multicluster");
    }

    [RequiresKubectlFact]
    public async Task Test_reports_a_hand_edit_as_exportable_drift_and_the_next_Set_heals_it()
    {
        using var session = fixture.NewSession();
        var name = Unique("auditors");
        const string definition = """
            -Name $args[0] -Rule @{ apiGroups = ''; resources = 'pods', 'services'; verbs = 'get', 'list' }, @{ nonResourceURLs = '/healthz'; verbs = 'get' } -Group auditors
            """;
        Results(session.Run("Set-FleetRbac " + definition, name)).Should().HaveCount(6);
        Drifts(session.Run("Test-FleetRbac " + definition, name)).Should().BeEmpty("nothing drifted yet");

        var prodB = fixture.Contexts[1];
        await AdminOk(prodB, "patch", "clusterrole", name, "--type=json", "-p", """[{"op":"add","path":"/rules/0/verbs/-","value":"delete"}]""");
        await AdminOk(prodB, "patch", "clusterrolebinding", name, "--type=json",
            "-p", """[{"op":"add","path":"/subjects/-","value":{"kind":"User","name":"mallory","apiGroup":"rbac.authorization.k8s.io"}}]""");
        (await CanI(prodB, "delete", "pods", "--as", "someone", "--as-group", "auditors")).Should().Be("yes", "the hand edit took effect");

        var drifts = Drifts(session.Run("Test-FleetRbac " + definition, name));
        drifts.Should().HaveCount(2).And.OnlyContain(d => d.Cluster == "prod-b" && d.Rbac == name);
        drifts.Select(d => (d.DriftType, d.Kind, d.Expected, d.Actual)).Should().BeEquivalentTo(new[]
        {
            (FleetRbacDriftType.ChangedRule, "ClusterRole", "[get,list] core/pods,services", "[get,list,delete] core/pods,services"),
            (FleetRbacDriftType.ExtraSubject, "ClusterRoleBinding", (string?)null, "User:mallory"),
        });
        // What Export-Csv writes: every property but Error is text or an enum, so each cell is the value itself.
        var exported = session.Run("Test-FleetRbac " + definition, name).ThrowIfFailed().RawOutput
            .SelectMany(row => row.Properties.Where(p => p.Name != nameof(FleetRbacDrift.Error))).ToList();
        exported.Should().HaveCount(18, "two drifts, each with nine properties besides Error").And.OnlyContain(p => p.Value == null || p.Value is string || p.Value is Enum);
        exported.Select(p => p.Name).Distinct().Should().Contain(["Cluster", "Rbac", "DriftType", "Kind", "Expected", "Actual"]);

        var healed = Results(session.Run("Set-FleetRbac " + definition, name));
        healed.Where(r => r.Action != FleetResourceAction.Unchanged).Select(r => (r.Cluster, r.Kind, r.Action)).Should().BeEquivalentTo(new[]
        {
            ("prod-b", "ClusterRole", FleetResourceAction.Configured), ("prod-b", "ClusterRoleBinding", FleetResourceAction.Configured),
        });
        Drifts(session.Run("Test-FleetRbac " + definition, name)).Should().BeEmpty();
        (await CanI(prodB, "delete", "pods", "--as", "someone", "--as-group", "auditors")).Should().Be("no");
    }

    [RequiresKubectlFact]
    public async Task Prune_removes_only_managed_objects_no_definition_wants()
    {
        using var session = fixture.NewSession();
        var (old, kept, handMade) = (Unique("old"), Unique("kept"), Unique("hand-made"));
        const string set = "Set-FleetRbac -Name $args[0] -Rule @{ apiGroups = ''; resources = 'pods'; verbs = 'get' } -Group $args[0]";
        Results(session.Run(set, old)).Should().HaveCount(6);
        Results(session.Run(set, kept)).Should().HaveCount(6);
        // Made by hand, the binding even with the module's RBAC label (but not its managed-by label).
        var handMadeFile = Path.Combine(fixture.Emulator.Directory, handMade + ".yaml");
        File.WriteAllText(handMadeFile, $"""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {"{"} name: {handMade} {"}"}
            rules: [ {"{"} apiGroups: [""], resources: [pods], verbs: [get] {"}"} ]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {"{"} name: {handMade}, labels: {"{"} multicluster.io/rbac: {handMade} {"}"} {"}"}
            roleRef: {"{"} apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {handMade} {"}"}
            subjects: [ {"{"} apiGroup: rbac.authorization.k8s.io, kind: Group, name: {handMade} {"}"} ]
            """);
        foreach (var context in fixture.Contexts) await AdminOk(context, "create", "-f", handMadeFile);

        var refused = session.Run(set + " -Prune", kept);
        refused.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("DeletionLimitExceeded,", "pruning on three clusters needs a raised -MaxClusters");
        Grants(session.Run("Get-FleetRbac $args[0]", old)).Should().HaveCount(3, "the refused prune removed nothing");

        var preview = Results(session.Run(set + " -Prune -MaxClusters 3 -WhatIf", kept));
        preview.Where(r => r.Name == old).Should().HaveCount(6).And.OnlyContain(r => r.Action == FleetResourceAction.WouldDelete);
        Grants(session.Run("Get-FleetRbac $args[0]", old)).Should().HaveCount(3, "-WhatIf removed nothing");

        var pruned = Results(session.Run(set + " -Prune -MaxClusters 3 -Force", kept));
        pruned.Where(r => r.Name == kept).Should().HaveCount(6).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);
        pruned.Where(r => r.Name == old).Select(r => (r.Cluster, r.Kind, r.Action)).Should().BeEquivalentTo(
            new[] { "prod-a", "prod-b", "dev-c" }.SelectMany(c => new[]
            {
                (c, "ClusterRoleBinding", FleetResourceAction.Deleted), (c, "ClusterRole", FleetResourceAction.Deleted),
            }));
        pruned.Should().NotContain(r => r.Name == handMade);
        Grants(session.Run("Get-FleetRbac $args[0], $args[1]", old, kept)).Select(g => g.Rbac).Should().Equal(kept, kept, kept);
        foreach (var context in fixture.Contexts)
        {
            await AdminOk(context, "get", "clusterrole", handMade); // objects the module did not create stay
            await AdminOk(context, "get", "clusterrolebinding", handMade);
            (await CanI(context, "get", "pods", "--as", "x", "--as-group", old)).Should().Be("no");
        }
    }

    [Fact]
    public void KubeFed_documents_set_from_the_pipeline_and_from_a_file_on_the_clusters_they_place()
    {
        using var session = fixture.NewSession();
        var name = Unique("kubefed-viewers");
        var document = $"""
            apiVersion: types.kubefed.io/v1beta1
            kind: FederatedClusterRole
            metadata:
              name: {name}
            spec:
              template:
                rules:
                - apiGroups: [""]
                  resources: [configmaps]
                  verbs: [get, list, watch]
              placement:
                clusters:
                - name: prod-a
                - name: prod-b
                - name: dev-c
            ---
            apiVersion: types.kubefed.io/v1beta1
            kind: FederatedClusterRoleBinding
            metadata:
              name: {name}-binding
            spec:
              template:
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: ClusterRole
                  name: {name}
                subjects:
                - apiGroup: rbac.authorization.k8s.io
                  kind: Group
                  name: viewers
            """;
        var file = Path.Combine(fixture.Emulator.Directory, name + ".yaml");
        File.WriteAllText(file, document);

        var conflict = session.Run("$args[0] | Set-FleetRbac -Cluster prod-a", document);
        conflict.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("PlacementConflict,", "the documents carry their own placement");
        Results(session.Run("$args[0] | Set-FleetRbac", document)).Should().HaveCount(6).And.OnlyContain(r => r.Action == FleetResourceAction.Created);
        Results(session.Run("Set-FleetRbac -Path $args[0]", file)).Should().HaveCount(6).And.OnlyContain(r => r.Action == FleetResourceAction.Unchanged);
        Drifts(session.Run("Test-FleetRbac -Path $args[0]", file)).Should().BeEmpty();
        var grants = Grants(session.Run("Get-FleetRbac $args[0]", name));
        grants.Select(g => g.Cluster).Should().BeEquivalentTo("prod-a", "prod-b", "dev-c");
        grants.Should().OnlyContain(g => g.SubjectText == "Group:viewers" && g.RuleText == "[get,list,watch] core/configmaps");

        var prodOnly = Unique("prod-viewers");
        var selected = document.Replace(name, prodOnly)
            .Replace("    clusters:\n    - name: prod-a\n    - name: prod-b\n    - name: dev-c", "    clusterSelector:\n      matchLabels: { env: prod }");
        Results(session.Run("$args[0] | Set-FleetRbac", selected)).Select(r => r.Cluster).Distinct().Should().BeEquivalentTo("prod-a", "prod-b");
        Drifts(session.Run("$args[0] | Test-FleetRbac", selected)).Should().BeEmpty("Test-FleetRbac compares the placed clusters only");
        Grants(session.Run("Get-FleetRbac $args[0]", prodOnly)).Select(g => g.Cluster).Should().BeEquivalentTo("prod-a", "prod-b");
    }

    [Fact]
    public async Task A_cluster_that_cannot_be_read_gives_an_Unknown_drift_per_definition_and_one_error()
    {
        using var session = fixture.NewSession();
        string Pair(string name) => $"""
            apiVersion: types.kubefed.io/v1beta1
            kind: FederatedClusterRole
            metadata:
              name: {name}
            spec:
              template:
                rules:
                - apiGroups: [""]
                  resources: [configmaps]
                  verbs: [get]
            ---
            apiVersion: types.kubefed.io/v1beta1
            kind: FederatedClusterRoleBinding
            metadata:
              name: {name}
            spec:
              template:
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: ClusterRole
                  name: {name}
                subjects:
                - apiGroup: rbac.authorization.k8s.io
                  kind: Group
                  name: viewers
            """;
        var documents = Pair(Unique("unread-a")) + "\n---\n" + Pair(Unique("unread-b"));
        // prod-b stops for a few seconds and comes back by itself before the next test.
        const int stoppedSeconds = 8;
        var stopped = Task.Delay(TimeSpan.FromSeconds(stoppedSeconds + 1));
        await fixture.Emulator.SetFaultsAsync(fixture.Contexts[1], $$"""{"stopped":true,"stoppedForSeconds":{{stoppedSeconds}}}""");

        var result = session.Run("$args[0] | Test-FleetRbac -Cluster prod-b -TimeoutSeconds 3", documents);

        result.Output.Cast<FleetRbacDrift>().Should().HaveCount(2).And.OnlyContain(d => d.DriftType == FleetRbacDriftType.Unknown);
        result.Errors.Should().ContainSingle("the cluster failed once, whatever the number of definitions");
        await stopped;
    }

    [Fact]
    public void Piped_clusters_are_the_clusters_set_read_and_tested()
    {
        using var session = fixture.NewSession();
        var name = Unique("piped");
        const string rule = "-Rule @{ apiGroups = ''; resources = 'services'; verbs = 'list' } -User jane";

        var set = Results(session.Run("Get-FleetCluster -Selector 'env=dev' | Set-FleetRbac $args[0] " + rule, name));
        set.Select(r => r.Cluster).Distinct().Should().Equal("dev-c");
        Grants(session.Run("Get-FleetCluster | Get-FleetRbac $args[0]", name)).Select(g => g.Cluster).Should().Equal("dev-c");
        Drifts(session.Run("Get-FleetCluster -Selector 'env=prod' | Test-FleetRbac $args[0] " + rule, name))
            .Select(d => (d.Cluster, d.DriftType)).Should().BeEquivalentTo(new[]
            {
                ("prod-a", FleetRbacDriftType.MissingRole), ("prod-a", FleetRbacDriftType.MissingBinding),
                ("prod-b", FleetRbacDriftType.MissingRole), ("prod-b", FleetRbacDriftType.MissingBinding),
            });
    }

    [Fact]
    public void Bad_input_is_a_terminating_error_naming_the_document_and_path_and_changes_nothing()
    {
        using var session = fixture.NewSession();
        var name = Unique("bad");
        var file = Path.Combine(fixture.Emulator.Directory, name + ".yaml");
        File.WriteAllText(file, $"""
            apiVersion: types.kubefed.io/v1beta1
            kind: FederatedClusterRole
            metadata:
              name: {name}
            spec:
              template:
                rules:
                - {"{}"}
            """);

        var cases = new (string Script, string Message)[]
        {
            ("Set-FleetRbac -Name $args[0] -Rule @{} -Group ops", "rules[0] is empty"),
            ("Set-FleetRbac -Name $args[0] -Rule @{ resources = 'pods'; verbs = 'get' } -Group ops", "rules[0].apiGroups is empty"),
            ("Set-FleetRbac -Name $args[0] -Rule @{ apiGroups = ''; resources = 'pods'; verbs = 'get'; verb = 'list' } -Group ops", "rules[0].verb is not apiGroups"),
            ("Set-FleetRbac -Name $args[0] -Rule @{ apiGroups = ''; resources = 'pods'; verbs = 'get' }", "subjects holds no subjects"),
            ("Set-FleetRbac -Name $args[0] -Rule @{ apiGroups = ''; resources = 'pods'; verbs = 'get' } -ServiceAccount ci", "subjects[0].namespace is required"),
            ("Set-FleetRbac -Path $args[1]", $"FederatedClusterRole '{name}' ({file}, document 1"),
            ("Set-FleetRbac -Path $args[1]", "spec.template.rules[0].verbs is empty"),
            ("@{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'x' } } | Set-FleetRbac", "'ConfigMap' is not FederatedClusterRole, FederatedClusterRoleBinding, FederatedRole or FederatedRoleBinding"),
        };
        foreach (var (script, message) in cases)
        {
            var result = session.Run(script, name, file);
            result.TerminatingRecord.Should().NotBeNull(script);
            result.TerminatingRecord!.FullyQualifiedErrorId.Should().StartWith("ManifestInvalid,", script);
            result.TerminatingRecord.Exception.Message.Should().Contain(message, script);
            result.Output.Should().BeEmpty(script);
        }
        Grants(session.Run("Get-FleetRbac $args[0]", name)).Should().BeEmpty("no bad input reached a cluster");
    }

    private void CreateNamespaceWithServiceAccount(PowerShellSession session, string ns, string account) =>
        session.Run("""
            @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = $args[0] } },
            @{ apiVersion = 'v1'; kind = 'ServiceAccount'; metadata = @{ name = $args[1]; namespace = $args[0] } } | Invoke-FleetApply
            """, ns, account).ThrowIfFailed();

    private Task<Kubectl.Result> Admin(string context, params string[] args) => Kubectl.RunAsync(fixture.Kubeconfig, context, args);

    /// <summary>kubectl as the admin, which must succeed.</summary>
    private async Task AdminOk(string context, params string[] args)
    {
        var result = await Admin(context, args);
        result.ExitCode.Should().Be(0, $"kubectl {string.Join(' ', args)} on {context}: {result.Stderr}");
    }

    /// <summary><c>kubectl auth can-i</c> with the admin kubeconfig: "yes" or "no".</summary>
    private async Task<string> CanI(string context, params string[] args)
    {
        var result = await Admin(context, ["auth", "can-i", .. args]);
        result.Stderr.Should().NotContain("error", $"kubectl auth can-i {string.Join(' ', args)} runs");
        return result.Stdout.Trim();
    }

    private static List<FleetResourceResult> Results(PowerShellResult result) => result.ThrowIfFailed().Output.Cast<FleetResourceResult>().ToList();

    private static List<FleetRbacGrant> Grants(PowerShellResult result) => result.ThrowIfFailed().Output.Cast<FleetRbacGrant>().ToList();

    private static List<FleetRbacDrift> Drifts(PowerShellResult result) => result.ThrowIfFailed().Output.Cast<FleetRbacDrift>().ToList();
}
