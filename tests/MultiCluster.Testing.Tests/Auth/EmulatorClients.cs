using k8s;
using k8s.Autorest;

namespace MultiCluster.Testing.Tests.Auth;

/// <summary>Clients of an emulated instance for the auth and controller tests.</summary>
internal static class EmulatorClients
{
    public static Kubernetes For(EmulatedCluster cluster, string token) => TestSupport.ClientFor(cluster, token);

    public static Kubernetes Admin(EmulatedCluster cluster) => TestSupport.ClientFor(cluster);

    /// <summary>The HTTP status and Status message of a failed call.</summary>
    public static async Task<(int Code, string Message, string Body)> FailureOf(Func<Task> call)
    {
        var failure = await FluentActions.Awaiting(call).Should().ThrowAsync<HttpOperationException>();
        var body = failure.Which.Response.Content;
        var status = System.Text.Json.Nodes.JsonNode.Parse(body)!;
        return ((int)failure.Which.Response.StatusCode, (string?)status["message"] ?? "", body);
    }
}
