using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using k8s;
using k8s.Autorest;
using k8s.Exceptions;
using k8s.Models;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Tests.Connections;

public class KubernetesErrorsTests
{
    private static HttpOperationException Http(HttpStatusCode code, string body = "") => new($"Operation returned an invalid status code '{code}'")
    {
        Response = new HttpResponseMessageWrapper(new HttpResponseMessage(code), body),
    };

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, FleetErrorIds.ClusterAuthenticationFailed, FleetErrorCategory.AuthenticationError)]
    [InlineData(HttpStatusCode.Forbidden, FleetErrorIds.ClusterAccessDenied, FleetErrorCategory.PermissionDenied)]
    [InlineData(HttpStatusCode.NotFound, FleetErrorIds.ResourceNotFound, FleetErrorCategory.ObjectNotFound)]
    [InlineData(HttpStatusCode.Conflict, FleetErrorIds.ResourceChanged, FleetErrorCategory.InvalidOperation)]
    [InlineData(HttpStatusCode.UnprocessableEntity, FleetErrorIds.ManifestInvalid, FleetErrorCategory.InvalidData)]
    [InlineData(HttpStatusCode.InternalServerError, FleetErrorIds.ServerError, FleetErrorCategory.ResourceUnavailable)]
    [InlineData(HttpStatusCode.ServiceUnavailable, FleetErrorIds.ServerError, FleetErrorCategory.ResourceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout, FleetErrorIds.ClusterTimeout, FleetErrorCategory.OperationTimeout)]
    public void Maps_status_codes(HttpStatusCode code, string id, FleetErrorCategory category)
    {
        var error = KubernetesErrors.Translate(Http(code), "prod-euc1", "apps/v1 Deployment default/web");

        error.ErrorId.Should().Be(id);
        error.Category.Should().Be(category);
        error.Target.Should().Be("prod-euc1: apps/v1 Deployment default/web");
        error.Should().BeOfType<FleetClusterException>().Which.Cluster.Should().Be("prod-euc1");
    }

    [Fact]
    public void A_422_carries_the_servers_message_and_causes()
    {
        const string body = """
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Deployment.apps \"web\" is invalid","reason":"Invalid",
             "details":{"name":"web","group":"apps","kind":"Deployment","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: -1: must be greater than or equal to 0","field":"spec.replicas"}]},"code":422}
            """;

        var error = KubernetesErrors.Translate(Http(HttpStatusCode.UnprocessableEntity, body), "c1", "apps/v1 Deployment default/web");

        error.Message.Should().Be("Cluster 'c1' rejected apps/v1 Deployment default/web as invalid (422): Deployment.apps \"web\" is invalid " +
            "(spec.replicas: Invalid value: -1: must be greater than or equal to 0).");
    }

    [Theory]
    [InlineData("Conflict", "FieldManagerConflict", FleetErrorIds.ApplyConflict, FleetErrorCategory.ResourceExists, true)]
    [InlineData("AlreadyExists", null, FleetErrorIds.ResourceAlreadyExists, FleetErrorCategory.ResourceExists, false)]
    [InlineData("Conflict", null, FleetErrorIds.ResourceChanged, FleetErrorCategory.InvalidOperation, false)]
    public void A_409_is_an_apply_conflict_only_when_the_server_names_field_manager_conflicts(string reason, string? cause, string id,
        FleetErrorCategory category, bool adviseForceConflicts)
    {
        var causes = cause is null ? "" : $$""","details":{"causes":[{"reason":"{{cause}}","message":"conflict with \"kubectl\"","field":".data.color"}]}""";
        var body = $$"""{"kind":"Status","apiVersion":"v1","status":"Failure","message":"it failed","reason":"{{reason}}","code":409{{causes}}}""";

        var error = KubernetesErrors.Translate(Http(HttpStatusCode.Conflict, body), "c1", "v1 ConfigMap default/settings");

        error.ErrorId.Should().Be(id);
        error.Category.Should().Be(category);
        error.Target.Should().Be("c1: v1 ConfigMap default/settings");
        (error.RecommendedAction?.Contains("-ForceConflicts") == true).Should().Be(adviseForceConflicts);
    }

    [Fact]
    public void A_write_into_a_namespace_the_cluster_lacks_names_the_namespace_not_the_object()
    {
        // The body NamespaceLifecycle admission gives a create or apply into a namespace that does not exist.
        const string missingNamespace = """
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"namespaces \"monitoring\" not found","reason":"NotFound","details":{"name":"monitoring","kind":"namespaces"},"code":404}
            """;

        var write = KubernetesErrors.Translate(Http(HttpStatusCode.NotFound, missingNamespace), "mgmt", "v1 ConfigMap monitoring/federation");
        var namespaceItself = KubernetesErrors.Translate(Http(HttpStatusCode.NotFound, missingNamespace), "mgmt", "v1 Namespace monitoring");

        write.ErrorId.Should().Be(FleetErrorIds.ResourceNotFound);
        write.Message.Should().Be("v1 ConfigMap monitoring/federation cannot be written to cluster 'mgmt': the namespace 'monitoring' does not exist there.");
        write.RecommendedAction.Should().StartWith("Create the namespace 'monitoring' first");
        namespaceItself.Message.Should().Be("v1 Namespace monitoring was not found on cluster 'mgmt': namespaces \"monitoring\" not found.");
    }

    [Fact]
    public void An_HTTP_failure_keeps_no_request_so_no_token_or_body_travels_with_the_error()
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, "https://10.0.0.1/api/v1/namespaces/default/secrets/db");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "canary-token-123");
        var http = new HttpOperationException("Operation returned an invalid status code 'Forbidden'")
        {
            Request = new HttpRequestMessageWrapper(request, """{"data":{"password":"canary-password"}}"""),
            Response = new HttpResponseMessageWrapper(new HttpResponseMessage(HttpStatusCode.Forbidden), """{"kind":"Status","message":"secrets \"db\" is forbidden","reason":"Forbidden","code":403}"""),
        };

        var error = KubernetesErrors.Translate(http, "c1", "v1 Secret default/db");

        error.ErrorId.Should().Be(FleetErrorIds.ClusterAccessDenied);
        error.Message.Should().Contain("secrets \"db\" is forbidden");
        for (Exception? e = error; e is not null; e = e.InnerException)
            e.Should().NotBeOfType<HttpOperationException>();
        error.InnerException.Should().BeNull();
        var kubernetes = KubernetesErrors.Translate(new KubernetesException(new V1Status { Code = 409, Reason = "AlreadyExists", Message = "exists" }), "c1");
        kubernetes.InnerException.Should().BeNull();
    }

    [Fact]
    public void A_KubernetesException_uses_its_status()
    {
        var error = KubernetesErrors.Translate(new KubernetesException(new V1Status { Code = 410, Message = "too old resource version" }), "c1");

        error.ErrorId.Should().Be(FleetErrorIds.ClusterRequestFailed);
        error.Message.Should().Contain("410").And.Contain("too old resource version");
    }

    [Fact]
    public void A_refused_connection_is_unreachable()
    {
        var refused = new HttpRequestException("Connection refused (127.0.0.1:1)", new SocketException((int)SocketError.ConnectionRefused));

        var error = KubernetesErrors.Translate(refused, "c1");

        error.ErrorId.Should().Be(FleetErrorIds.ClusterUnreachable);
        error.Category.Should().Be(FleetErrorCategory.ConnectionError);
        error.Message.Should().Be("Cannot reach cluster 'c1': connection refused.");
    }

    [Fact]
    public void A_name_that_does_not_resolve_is_unreachable()
    {
        var dns = new HttpRequestException("Name or service not known (nowhere.invalid:443)", new SocketException((int)SocketError.HostNotFound));

        KubernetesErrors.Translate(dns, "c1").Message.Should().Contain("does not resolve");
    }

    [Fact]
    public void A_rejected_server_certificate_is_certificate_invalid()
    {
        var tls = new HttpRequestException("The SSL connection could not be established", new AuthenticationException("The remote certificate was rejected"));

        var error = KubernetesErrors.Translate(tls, "c1");

        error.ErrorId.Should().Be(FleetErrorIds.ClusterCertificateInvalid);
        error.Category.Should().Be(FleetErrorCategory.SecurityError);
    }

    [Fact]
    public void A_timeout_is_ClusterTimeout_and_a_caller_cancellation_is_OperationCancelled()
    {
        KubernetesErrors.Translate(new TaskCanceledException("timeout"), "c1").ErrorId.Should().Be(FleetErrorIds.ClusterTimeout);

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var error = KubernetesErrors.Translate(new OperationCanceledException(cancelled.Token), "c1", callerToken: cancelled.Token);
        error.ErrorId.Should().Be(FleetErrorIds.OperationCancelled);
        error.Category.Should().Be(FleetErrorCategory.OperationStopped);
    }

    [Fact]
    public void Kubeconfig_errors_and_fleet_errors()
    {
        KubernetesErrors.Translate(new KubeConfigException("User not found for context x in kubeconfig"), "c1").ErrorId.Should().Be(FleetErrorIds.KubeconfigInvalid);

        var own = new FleetClusterException("X", FleetErrorCategory.InvalidData, "c1", "m");
        KubernetesErrors.Translate(own, "c1").Should().BeSameAs(own);
        KubernetesErrors.Translate(new AggregateException(Http(HttpStatusCode.NotFound)), "c1").ErrorId.Should().Be(FleetErrorIds.ResourceNotFound);
    }
}
