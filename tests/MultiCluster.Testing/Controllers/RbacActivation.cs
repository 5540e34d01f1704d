using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.ApiServer.Auth;

namespace MultiCluster.Testing.Controllers;

/// <summary>
/// The catalog entry <c>rbac</c>: turns on RBAC, tokens, impersonation and the review and
/// TokenRequest endpoints (<see cref="ClusterAuth"/>) when the instance starts, for callers that
/// configure instances by controller name only (the emulator console's <c>--controllers</c>).
/// In code, <c>cluster.Auth</c> or <c>cluster.Tokens</c> does the same.
/// </summary>
public sealed class RbacActivation : IController
{
    public const string ControllerName = "rbac";

    public string Name => ControllerName;

    public void Start(ClusterContext cluster) => ClusterAuth.For(cluster.Cluster);

    // ClusterAuth lives as long as its instance; its own controllers stop with it.
    public void Stop()
    {
    }
}
