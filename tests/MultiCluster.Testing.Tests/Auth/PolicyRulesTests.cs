using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Auth;

namespace MultiCluster.Testing.Tests.Auth;

public sealed class PolicyRulesTests
{
    private static readonly AuthUser Someone = new("someone", []);

    private static bool Allows(string ruleJson, AccessRequest request) =>
        PolicyRules.Allows(JsonNode.Parse(ruleJson)!.AsObject(), request);

    private static AccessRequest Resource(string verb, string group, string resource, string subresource = "", string name = "") =>
        AccessRequest.ForResource(Someone, verb, group, resource, "default", name, subresource);

    [Theory]
    [InlineData("""{"apiGroups":["apps"],"resources":["deployments"],"verbs":["get"]}""", "get", "apps", "deployments", "", true)]
    [InlineData("""{"apiGroups":["apps"],"resources":["deployments"],"verbs":["get"]}""", "list", "apps", "deployments", "", false)]
    [InlineData("""{"apiGroups":["*"],"resources":["deployments"],"verbs":["*"]}""", "delete", "apps", "deployments", "", true)]
    [InlineData("""{"apiGroups":[""],"resources":["deployments"],"verbs":["get"]}""", "get", "apps", "deployments", "", false)]
    [InlineData("""{"apiGroups":["apps"],"resources":["deployments"],"verbs":["get"]}""", "get", "apps", "deployments", "scale", false)]
    [InlineData("""{"apiGroups":["apps"],"resources":["deployments/scale"],"verbs":["get"]}""", "get", "apps", "deployments", "scale", true)]
    [InlineData("""{"apiGroups":["apps"],"resources":["*/scale"],"verbs":["get"]}""", "get", "apps", "deployments", "scale", true)]
    [InlineData("""{"apiGroups":["apps"],"resources":["*/scale"],"verbs":["get"]}""", "get", "apps", "deployments", "status", false)]
    [InlineData("""{"apiGroups":["apps"],"resources":["*"],"verbs":["get"]}""", "get", "apps", "deployments", "status", true)]
    public void Matches_verbs_groups_resources_and_subresources(string rule, string verb, string group, string resource,
        string subresource, bool expected) =>
        Allows(rule, Resource(verb, group, resource, subresource)).Should().Be(expected);

    [Fact]
    public void ResourceNames_limit_named_requests_and_never_match_unnamed_ones()
    {
        const string rule = """{"apiGroups":[""],"resources":["configmaps"],"resourceNames":["app"],"verbs":["get","list"]}""";
        Allows(rule, Resource("get", "", "configmaps", name: "app")).Should().BeTrue();
        Allows(rule, Resource("get", "", "configmaps", name: "other")).Should().BeFalse();
        Allows(rule, Resource("list", "", "configmaps")).Should().BeFalse();
    }

    [Theory]
    [InlineData("/healthz", true)]
    [InlineData("/logs/kubelet", true)]
    [InlineData("/logs", false)]
    [InlineData("/metrics", false)]
    public void NonResourceUrls_match_exactly_or_by_trailing_star_prefix(string path, bool expected)
    {
        const string rule = """{"nonResourceURLs":["/healthz","/logs/*"],"verbs":["get"]}""";
        Allows(rule, AccessRequest.ForPath(Someone, "get", path)).Should().Be(expected);
    }

    [Fact]
    public void Resource_rules_never_match_paths_and_url_rules_never_match_resources()
    {
        Allows("""{"apiGroups":["*"],"resources":["*"],"verbs":["*"]}""", AccessRequest.ForPath(Someone, "get", "/version"))
            .Should().BeFalse();
        Allows("""{"nonResourceURLs":["*"],"verbs":["*"]}""", Resource("get", "", "pods")).Should().BeFalse();
    }

    [Theory]
    [InlineData("""{"matchLabels":{"a":"1"}}""", true)]
    [InlineData("""{"matchLabels":{"a":"2"}}""", false)]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"In","values":["1","3"]}]}""", true)]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"NotIn","values":["1"]}]}""", false)]
    [InlineData("""{"matchExpressions":[{"key":"b","operator":"DoesNotExist"}]}""", true)]
    [InlineData("""{"matchExpressions":[{"key":"b","operator":"Exists"}]}""", false)]
    [InlineData("""{}""", true)]
    public void Label_selectors_match_as_metav1_LabelSelector(string selector, bool expected) =>
        JsonLabelSelector.Matches(JsonNode.Parse(selector)!.AsObject(), new JsonObject { ["a"] = "1" }).Should().Be(expected);
}
