using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace MultiCluster.Testing.Tests.Schema;

/// <summary>
/// CRD <c>x-kubernetes-validations</c> rules on writes over HTTPS, as kube-apiserver applies them: real
/// Istio and Cluster API rules refuse with their messages (422 Invalid), transition rules compare with
/// the stored object on update, patch and apply, and unchanged values ratchet.
/// </summary>
public sealed class CelAdmissionTests : IAsyncLifetime
{
    private EmulatedCluster cluster = null!;
    private HttpClient http = null!;

    /// <summary>Rules the way CRD authors write them: a transition rule, a messageExpression, a reason and a fieldPath.</summary>
    internal const string GadgetCrd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: gadgets.example.com
        spec:
          group: example.com
          scope: Namespaced
          names: {plural: gadgets, singular: gadget, kind: Gadget}
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    x-kubernetes-validations:
                    - rule: "!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas"
                      messageExpression: "'minReplicas (' + string(self.minReplicas) + ') exceeds maxReplicas (' + string(self.maxReplicas) + ')'"
                      fieldPath: .minReplicas
                    - rule: "!has(self.owner) || self.owner != 'root'"
                      reason: FieldValueForbidden
                      message: the root owner is reserved
                    properties:
                      region:
                        type: string
                        x-kubernetes-validations:
                        - rule: self == oldSelf
                          message: region is immutable
                      size:
                        type: integer
                        x-kubernetes-validations:
                        - rule: self >= oldSelf
                      owner: {type: string}
                      minReplicas: {type: integer}
                      maxReplicas: {type: integer}
        """;

    public async Task InitializeAsync()
    {
        cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Name = "cel" });
        http = new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Issuer == ApiServer.ServerCertificates.CertificateAuthority.Subject,
        }) { BaseAddress = cluster.Server };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", cluster.AdminToken);
        cluster.CreateObject(YamlJson.One(GadgetCrd));
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await cluster.DisposeAsync();
    }

    private const string Gadgets = "/apis/example.com/v1/namespaces/default/gadgets";

    private sealed record Answer(HttpStatusCode Status, JsonObject Body, IReadOnlyList<string> Warnings);

    private async Task<Answer> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType);
        using var response = await http.SendAsync(request);
        var warnings = response.Headers.TryGetValues("Warning", out var values) ? values.ToList() : [];
        return new Answer(response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject(), warnings);
    }

    private static string Gadget(string spec) =>
        $$"""{"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g1", "namespace": "default"}, "spec": {{spec}}}""";

    private static void ShouldBeInvalid(Answer answer, string kind, string name, params (string Reason, string Field, string Message)[] causes)
    {
        answer.Status.Should().Be((HttpStatusCode)422);
        answer.Body["reason"]!.GetValue<string>().Should().Be("Invalid");
        var rendered = causes.Select(c => $"{c.Field}: {c.Message}").ToList();
        answer.Body["message"]!.GetValue<string>().Should().Be(
            $"{kind} \"{name}\" is invalid: {(rendered.Count == 1 ? rendered[0] : $"[{string.Join(", ", rendered)}]")}");
        var actual = answer.Body["details"]!["causes"]!.AsArray();
        actual.Should().HaveCount(causes.Length);
        for (var i = 0; i < causes.Length; i++)
        {
            actual[i]!["reason"]!.GetValue<string>().Should().Be(causes[i].Reason);
            actual[i]!["field"]!.GetValue<string>().Should().Be(causes[i].Field);
            actual[i]!["message"]!.GetValue<string>().Should().Be(causes[i].Message);
        }
    }

    private void LoadSharedCrd(string file) => SharedCrds.LoadFile(cluster, Path.Combine(SharedFiles.Crds!, file));

    [RequiresSharedCrdsFact]
    public async Task An_istio_timeout_below_one_millisecond_is_refused_with_the_rules_message_and_not_stored()
    {
        LoadSharedCrd("istio/networking.istio.io_destinationrules.yaml");
        static string Rule(string timeout) => """
            {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": {"name": "reviews", "namespace": "default"},
             "spec": {"host": "reviews", "trafficPolicy": {"connectionPool": {"tcp": {"connectTimeout": "TIMEOUT"}}}}}
            """.Replace("TIMEOUT", timeout);
        const string path = "/apis/networking.istio.io/v1/namespaces/default/destinationrules";

        var tooShort = await SendAsync(HttpMethod.Post, path, Rule("500us"));
        var notADuration = await SendAsync(HttpMethod.Post, path, Rule("soon"));
        var missing = await SendAsync(HttpMethod.Get, path + "/reviews");
        var valid = await SendAsync(HttpMethod.Post, path, Rule("5s"));

        const string field = "spec.trafficPolicy.connectionPool.tcp.connectTimeout";
        ShouldBeInvalid(tooShort, "DestinationRule.networking.istio.io", "reviews",
            ("FieldValueInvalid", field, "Invalid value: \"string\": must be a valid duration greater than 1ms"));
        ShouldBeInvalid(notADuration, "DestinationRule.networking.istio.io", "reviews",
            ("FieldValueInvalid", field, "Invalid value: \"string\": type conversion error from 'string' to 'google.protobuf.Duration' evaluating rule: must be a valid duration greater than 1ms"));
        missing.Status.Should().Be(HttpStatusCode.NotFound);
        valid.Status.Should().Be(HttpStatusCode.Created);
        valid.Body["spec"]!["trafficPolicy"]!["connectionPool"]!["tcp"]!["connectTimeout"]!.GetValue<string>().Should().Be("5s");
    }

    [RequiresSharedCrdsFact]
    public async Task A_cluster_api_kubeadm_config_with_duplicate_extra_arg_names_is_refused_and_a_valid_one_admitted()
    {
        LoadSharedCrd("cluster-api/bootstrap.cluster.x-k8s.io_kubeadmconfigs.yaml");
        static string Config(string secondName) => """
            {"apiVersion": "bootstrap.cluster.x-k8s.io/v1beta2", "kind": "KubeadmConfig", "metadata": {"name": "cp-0", "namespace": "default"},
             "spec": {"clusterConfiguration": {"apiServer": {"extraArgs": [{"name": "v", "value": "2"}, {"name": "SECOND", "value": "4"}]}}}}
            """.Replace("SECOND", secondName);
        const string path = "/apis/bootstrap.cluster.x-k8s.io/v1beta2/namespaces/default/kubeadmconfigs";

        var duplicate = await SendAsync(HttpMethod.Post, path, Config("v"));
        var valid = await SendAsync(HttpMethod.Post, path, Config("audit-log-maxage"));

        ShouldBeInvalid(duplicate, "KubeadmConfig.bootstrap.cluster.x-k8s.io", "cp-0",
            ("FieldValueInvalid", "spec.clusterConfiguration.apiServer.extraArgs", "Invalid value: \"array\": extraArgs name must be unique"));
        valid.Status.Should().Be(HttpStatusCode.Created);
        valid.Body["spec"]!["clusterConfiguration"]!["apiServer"]!["extraArgs"]!.AsArray().Should().HaveCount(2);
    }

    [Fact]
    public async Task A_field_added_on_update_has_no_old_value_so_its_transition_rule_is_not_evaluated()
    {
        (await SendAsync(HttpMethod.Post, Gadgets, Gadget("""{"size": 3}"""))).Status.Should().Be(HttpStatusCode.Created);

        var added = await SendAsync(HttpMethod.Patch, Gadgets + "/g1", """{"spec": {"region": "eu-west-1"}}""", "application/merge-patch+json");

        added.Status.Should().Be(HttpStatusCode.OK);
        added.Body["spec"]!["region"]!.GetValue<string>().Should().Be("eu-west-1");
    }

    [Fact]
    public async Task A_schema_error_that_blocks_the_rules_is_reported_with_the_note_that_they_were_not_checked()
    {
        var answer = await SendAsync(HttpMethod.Post, Gadgets, Gadget("""{"size": "big", "owner": "root"}"""));

        ShouldBeInvalid(answer, "Gadget.example.com", "g1",
            ("FieldValueTypeInvalid", "spec.size", "Invalid value: \"string\": spec.size in body must be of type integer: \"string\""),
            ("FieldValueInvalid", "<nil>", "Invalid value: \"null\": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"));
    }

    [Fact]
    public async Task A_value_that_an_update_leaves_unchanged_ratchets_failing_rules_to_a_warning()
    {
        // The object predates the rule: created before the CRD gained it.
        var crd = YamlJson.One(GadgetCrd);
        var spec = crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!.AsObject();
        var rules = spec["x-kubernetes-validations"]!.AsArray();
        var ownerRule = rules[1]!.DeepClone();
        rules.RemoveAt(1);
        var crdPath = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com";
        crd["metadata"]!["resourceVersion"] = (await SendAsync(HttpMethod.Get, crdPath)).Body["metadata"]!["resourceVersion"]!.DeepClone();
        (await SendAsync(HttpMethod.Put, crdPath, crd.ToJsonString())).Status.Should().Be(HttpStatusCode.OK);
        (await SendAsync(HttpMethod.Post, Gadgets, Gadget("""{"owner": "root", "size": 1}"""))).Status.Should().Be(HttpStatusCode.Created);
        rules.Add(ownerRule);
        crd["metadata"]!["resourceVersion"] = (await SendAsync(HttpMethod.Get, crdPath)).Body["metadata"]!["resourceVersion"]!.DeepClone();
        (await SendAsync(HttpMethod.Put, crdPath, crd.ToJsonString())).Status.Should().Be(HttpStatusCode.OK);

        // The rule sits on spec: a write that leaves spec as it was ratchets; one that changes spec does not.
        var specUnchanged = await SendAsync(HttpMethod.Patch, Gadgets + "/g1", """{"metadata": {"labels": {"tier": "gold"}}}""", "application/merge-patch+json");
        var specChanged = await SendAsync(HttpMethod.Patch, Gadgets + "/g1", """{"spec": {"size": 2}}""", "application/merge-patch+json");

        specUnchanged.Status.Should().Be(HttpStatusCode.OK);
        specUnchanged.Body["metadata"]!["labels"]!["tier"]!.GetValue<string>().Should().Be("gold");
        specUnchanged.Warnings.Should().ContainSingle().Which.Should().Contain("spec: Forbidden: the root owner is reserved");
        ShouldBeInvalid(specChanged, "Gadget.example.com", "g1", ("FieldValueForbidden", "spec", "Forbidden: the root owner is reserved"));
    }

    [RequiresKubectlFact]
    public async Task Kubectl_apply_shows_the_rules_422()
    {
        await using var fleet = await EmulatedFleet.StartAsync(1, "celkc");
        Task<TestSupport.KubectlResult> Apply(string yaml) => TestSupport.KubectlAsync(fleet.KubeconfigPath, yaml, "apply", "-f", "-");
        const string gadget = """
            apiVersion: example.com/v1
            kind: Gadget
            metadata: {name: g1, namespace: default}
            spec: {region: eu-west-1, owner: team-a}
            """;

        var crd = await Apply(GadgetCrd);
        var created = await Apply(gadget);
        var changed = await Apply(gadget.Replace("eu-west-1", "us-east-1"));
        var forbidden = await TestSupport.KubectlAsync(fleet.KubeconfigPath, gadget.Replace("team-a", "root"), "apply", "--server-side", "--force-conflicts", "-f", "-");

        crd.ExitCode.Should().Be(0, crd.Stderr);
        created.ExitCode.Should().Be(0, created.Stderr);
        changed.ExitCode.Should().NotBe(0);
        changed.Stderr.Should().Contain("The Gadget \"g1\" is invalid: spec.region: Invalid value: \"string\": region is immutable");
        forbidden.ExitCode.Should().NotBe(0);
        forbidden.Stderr.Should().Contain("The Gadget \"g1\" is invalid: spec: Forbidden: the root owner is reserved");
    }
}
