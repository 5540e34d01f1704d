using MultiCluster.Testing.ApiServer.Auth;

namespace MultiCluster.Testing.Tests.Auth;

public sealed class AuthStatusesTests
{
    private static readonly AuthUser Jane = new("jane", []);

    [Fact]
    public void Named_namespaced_request_uses_the_real_wording()
    {
        AuthStatuses.ForbiddenMessage(AccessRequest.ForResource(Jane, "get", "apps", "deployments", "default", "x"), "")
            .Should().Be("deployments.apps \"x\" is forbidden: User \"jane\" cannot get resource \"deployments\" in API group \"apps\" in the namespace \"default\"");
    }

    [Fact]
    public void Unnamed_and_cluster_scoped_requests_use_the_real_wording()
    {
        AuthStatuses.ForbiddenMessage(AccessRequest.ForResource(Jane, "list", "apps", "deployments", "default"), "")
            .Should().Be("deployments.apps is forbidden: User \"jane\" cannot list resource \"deployments\" in API group \"apps\" in the namespace \"default\"");
        AuthStatuses.ForbiddenMessage(AccessRequest.ForResource(Jane, "list", "", "namespaces"), "")
            .Should().Be("namespaces is forbidden: User \"jane\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope");
        AuthStatuses.ForbiddenMessage(AccessRequest.ForResource(Jane, "update", "apps", "deployments", "d", "x", "scale"), "RBAC: boom")
            .Should().Be("deployments.apps \"x\" is forbidden: User \"jane\" cannot update resource \"deployments/scale\" in API group \"apps\" in the namespace \"d\": RBAC: boom");
        AuthStatuses.ForbiddenMessage(AccessRequest.ForPath(Jane, "get", "/metrics"), "")
            .Should().Be("forbidden: User \"jane\" cannot get path \"/metrics\"");
    }

    [Fact]
    public void Status_bodies_carry_reason_code_and_details()
    {
        var forbidden = AuthStatuses.Forbidden(AccessRequest.ForResource(Jane, "get", "apps", "deployments", "default", "x"), "");
        forbidden.ToJsonString().Should().Contain("\"reason\":\"Forbidden\"").And.Contain("\"code\":403")
            .And.Contain("\"details\":{\"name\":\"x\",\"group\":\"apps\",\"kind\":\"deployments\"}");
        AuthStatuses.Unauthorized().ToJsonString().Should().Be(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}""");
    }
}
