using System.Text.Json.Nodes;

namespace MultiCluster.Testing.Tests.Conformance;

/// <summary>
/// Server-side printing (as=Table, the columns of pkg/printers/internalversion/printers.go that kubectl
/// shows) for kinds the module reads, and discovery (reference/using-api/api-concepts, "Discovery").
/// </summary>
[Trait("Category", "Conformance")]
public sealed class TableAndDiscoveryTests
{
    private const string TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io";

    private static (string[] Columns, JsonArray Rows) TableOf(ApiResponse answer)
    {
        var table = answer.ShouldHaveCode(200).Object;
        (table["kind"]!.GetValue<string>(), table["apiVersion"]!.GetValue<string>()).Should().Be(("Table", "meta.k8s.io/v1"));
        var columns = table["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ToArray();
        return (columns, table["rows"]!.AsArray());
    }

    private static string Cell(JsonArray rows, int row, int column) =>
        rows[row]!["cells"]![column] is JsonValue value && value.TryGetValue<string>(out var text) ? text : rows[row]!["cells"]![column]!.ToJsonString();

    [ConformanceTheory]
    public async Task Tables_of_config_maps_secrets_namespaces_and_deployments_have_kubectls_columns(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        (await t.SendAsync(HttpMethod.Post, t.PathOf("", "v1", "configmaps"),
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"},"data":{"a":"1","b":"2"}}""")).ShouldHaveCode(201);
        (await t.SendAsync(HttpMethod.Post, t.PathOf("", "v1", "secrets"),
            """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"creds"},"type":"Opaque","data":{"password":"czNjcmV0"}}""")).ShouldHaveCode(201);
        (await t.SendAsync(HttpMethod.Post, t.PathOf("apps", "v1", "deployments"), """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
             "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
              "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"main","image":"nginx:1.27"}]}}}}
            """)).ShouldHaveCode(201);

        var (cmColumns, cmRows) = TableOf(await t.SendAsync(HttpMethod.Get, t.PathOf("", "v1", "configmaps", "settings"), accept: TableAccept));
        cmColumns.Should().Equal("Name", "Data", "Age");
        cmRows.Should().HaveCount(1);
        (Cell(cmRows, 0, 0), Cell(cmRows, 0, 1)).Should().Be(("settings", "2"));

        var (secretColumns, secretRows) = TableOf(await t.SendAsync(HttpMethod.Get, t.PathOf("", "v1", "secrets", "creds"), accept: TableAccept));
        secretColumns.Should().Equal("Name", "Type", "Data", "Age");
        (Cell(secretRows, 0, 0), Cell(secretRows, 0, 1), Cell(secretRows, 0, 2)).Should().Be(("creds", "Opaque", "1"));

        var (nsColumns, nsRows) = TableOf(await t.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{t.Namespace}", accept: TableAccept));
        nsColumns.Should().Equal("Name", "Status", "Age");
        (Cell(nsRows, 0, 0), Cell(nsRows, 0, 1)).Should().Be((t.Namespace, "Active"));

        var (deployColumns, deployRows) = TableOf(await t.SendAsync(HttpMethod.Get, t.PathOf("apps", "v1", "deployments"), accept: TableAccept));
        deployColumns.Should().Equal("Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector");
        deployRows.Should().HaveCount(1);
        Cell(deployRows, 0, 0).Should().Be("web");
        Cell(deployRows, 0, 1).Should().EndWith("/2", "Ready is READY/SPEC replicas");
        (Cell(deployRows, 0, 5), Cell(deployRows, 0, 6), Cell(deployRows, 0, 7)).Should().Be(("main", "nginx:1.27", "app=web"));
    }

    [ConformanceTheory]
    public async Task Tables_of_services_and_role_bindings_have_kubectls_columns_with_the_wide_ones(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        (await t.SendAsync(HttpMethod.Post, t.PathOf("", "v1", "services"), """
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"api"},
             "spec":{"type":"ClusterIP","selector":{"tier":"back","app":"api"},"ports":[{"port":80,"targetPort":8080}]}}
            """)).ShouldHaveCode(201);
        (await t.SendAsync(HttpMethod.Post, t.PathOf("rbac.authorization.k8s.io", "v1", "rolebindings"), $$"""
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"readers"},
             "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},
             "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"alice"},
                         {"apiGroup":"rbac.authorization.k8s.io","kind":"Group","name":"auditors"},
                         {"kind":"ServiceAccount","name":"robot","namespace":"{{t.Namespace}}"}]}
            """)).ShouldHaveCode(201);

        var (serviceColumns, serviceRows) = TableOf(await t.SendAsync(HttpMethod.Get, t.PathOf("", "v1", "services", "api"), accept: TableAccept));
        serviceColumns.Should().Equal("Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector");
        (Cell(serviceRows, 0, 0), Cell(serviceRows, 0, 1), Cell(serviceRows, 0, 3), Cell(serviceRows, 0, 4), Cell(serviceRows, 0, 6))
            .Should().Be(("api", "ClusterIP", "<none>", "80/TCP", "app=api,tier=back"));
        Cell(serviceRows, 0, 2).Should().MatchRegex(@"^\d+\.\d+\.\d+\.\d+$", "a ClusterIP service is given an address");

        var (bindingColumns, bindingRows) = TableOf(await t.SendAsync(HttpMethod.Get,
            t.PathOf("rbac.authorization.k8s.io", "v1", "rolebindings", "readers"), accept: TableAccept));
        bindingColumns.Should().Equal("Name", "Role", "Age", "Users", "Groups", "ServiceAccounts");
        (Cell(bindingRows, 0, 0), Cell(bindingRows, 0, 1), Cell(bindingRows, 0, 3), Cell(bindingRows, 0, 4), Cell(bindingRows, 0, 5))
            .Should().Be(("readers", "ClusterRole/view", "alice", "auditors", $"{t.Namespace}/robot"));
    }

    [ConformanceTheory]
    public async Task Discovery_documents_list_groups_versions_resources_and_subresources(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);

        var core = (await t.SendAsync(HttpMethod.Get, "/api")).ShouldHaveCode(200).Object;
        core["kind"]!.GetValue<string>().Should().Be("APIVersions");
        core["versions"]!.AsArray().Select(v => v!.GetValue<string>()).Should().Contain("v1");

        var groups = (await t.SendAsync(HttpMethod.Get, "/apis")).ShouldHaveCode(200).Object;
        groups["kind"]!.GetValue<string>().Should().Be("APIGroupList");
        var byName = groups["groups"]!.AsArray().ToDictionary(g => g!["name"]!.GetValue<string>(), g => g!);
        byName.Keys.Should().Contain(["apps", "rbac.authorization.k8s.io", "apiextensions.k8s.io", "authorization.k8s.io"]);
        byName["apps"]["preferredVersion"]!["groupVersion"]!.GetValue<string>().Should().Be("apps/v1");

        var apps = (await t.SendAsync(HttpMethod.Get, "/apis/apps/v1")).ShouldHaveCode(200).Object;
        (apps["kind"]!.GetValue<string>(), apps["groupVersion"]!.GetValue<string>()).Should().Be(("APIResourceList", "apps/v1"));
        var resources = apps["resources"]!.AsArray().ToDictionary(r => r!["name"]!.GetValue<string>(), r => r!);
        resources.Keys.Should().Contain(["deployments", "deployments/status", "deployments/scale"]);
        var deployments = resources["deployments"];
        (deployments["kind"]!.GetValue<string>(), deployments["namespaced"]!.GetValue<bool>()).Should().Be(("Deployment", true));
        deployments["verbs"]!.AsArray().Select(v => v!.GetValue<string>()).Should().Contain(["create", "get", "list", "watch", "patch", "update", "delete"]);
        var scale = resources["deployments/scale"];
        (scale["group"]!.GetValue<string>(), scale["version"]!.GetValue<string>(), scale["kind"]!.GetValue<string>()).Should().Be(("autoscaling", "v1", "Scale"));

        var v1 = (await t.SendAsync(HttpMethod.Get, "/api/v1")).ShouldHaveCode(200).Object["resources"]!.AsArray()
            .ToDictionary(r => r!["name"]!.GetValue<string>(), r => r!);
        v1["namespaces"]["namespaced"]!.GetValue<bool>().Should().BeFalse();
        v1["serviceaccounts/token"]["kind"]!.GetValue<string>().Should().Be("TokenRequest");
    }

    [ConformanceTheory]
    public async Task Kubectls_discovery_request_is_answered_aggregated_or_with_the_plain_group_list(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        // kubectl 1.30+ asks for aggregated discovery first (apidiscovery.k8s.io v2, then v2beta1) and takes
        // the plain APIGroupList from a server that does not serve it; both answers must name the groups.
        var answer = (await t.SendAsync(HttpMethod.Get, "/apis", accept:
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"))
            .ShouldHaveCode(200);

        var kind = answer.Object["kind"]!.GetValue<string>();
        kind.Should().BeOneOf("APIGroupDiscoveryList", "APIGroupList");
        var names = kind == "APIGroupList"
            ? answer.Object["groups"]!.AsArray().Select(g => g!["name"]!.GetValue<string>())
            : answer.Object["items"]!.AsArray().Select(g => g!["metadata"]!["name"]!.GetValue<string>());
        names.Should().Contain(["apps", "rbac.authorization.k8s.io"]);
        if (kind == "APIGroupDiscoveryList") answer.ContentType.Should().Contain("as=APIGroupDiscoveryList");
    }
}
