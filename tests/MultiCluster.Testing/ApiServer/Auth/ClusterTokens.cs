using System.Text;
using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Auth;

/// <summary>
/// The tokens a test hands to clients of one instance: the admin token, tokens for any user and
/// groups, and ready-made restricted ones (read-only everywhere, or edit in one namespace) whose
/// RBAC bindings are created in the instance on first use.
/// </summary>
public sealed class ClusterTokens
{
    /// <summary>The user behind <see cref="ReadOnly"/> tokens.</summary>
    public const string ReadOnlyUser = "read-only";

    private readonly ClusterAuth _auth;

    internal ClusterTokens(ClusterAuth auth) => _auth = auth;

    /// <summary>The admin token: user <c>admin</c> in system:masters and system:authenticated.</summary>
    public string Admin => _auth.Cluster.AdminToken;

    /// <summary>A token for <paramref name="user"/> in <paramref name="groups"/> (plus system:authenticated).</summary>
    public string Mint(string user, params string[] groups) => _auth.Registry.Mint(user, groups);

    /// <summary>A token that stops working <paramref name="lifetime"/> later on the instance's clock.</summary>
    public string Mint(string user, IEnumerable<string> groups, TimeSpan lifetime) => _auth.Registry.Mint(user, groups, lifetime);

    /// <summary>Makes a token unknown to the instance (401 from then on).</summary>
    public bool Revoke(string token) => _auth.Registry.Revoke(token);

    /// <summary>
    /// A token for user <see cref="ReadOnlyUser"/>, bound to the <c>view</c> ClusterRole across the
    /// cluster by the ClusterRoleBinding <c>read-only-view</c>.
    /// </summary>
    public string ReadOnly()
    {
        Ensure("clusterrolebindings", BootstrapPolicy.ClusterRoleBinding("read-only-view", "view", BootstrapPolicy.User(ReadOnlyUser)));
        return Mint(ReadOnlyUser);
    }

    /// <summary>
    /// A token for user <c>&lt;namespace&gt;-editor</c> (or <paramref name="user"/>), bound to the
    /// <c>edit</c> ClusterRole in <paramref name="namespace"/> only, by the RoleBinding
    /// <c>&lt;user&gt;-edit</c> there.
    /// </summary>
    public string ForNamespace(string @namespace, string? user = null)
    {
        user ??= $"{@namespace}-editor";
        Ensure("rolebindings", BootstrapPolicy.RoleBinding(@namespace, $"{user}-edit", "edit", BootstrapPolicy.User(user)));
        return Mint(user);
    }

    /// <summary>A kubeconfig for this instance that authenticates with <paramref name="token"/>.</summary>
    public string Kubeconfig(string token, string contextName = "emu")
    {
        var caData = Convert.ToBase64String(Encoding.ASCII.GetBytes(EmulatedCluster.CertificateAuthorityPem));
        return $"""
            apiVersion: v1
            kind: Config
            current-context: "{contextName}"
            clusters:
            - name: "{contextName}"
              cluster:
                server: {_auth.Cluster.Server.ToString().TrimEnd('/')}
                certificate-authority-data: {caData}
            users:
            - name: "{contextName}-user"
              user:
                token: {token}
            contexts:
            - name: "{contextName}"
              context:
                cluster: "{contextName}"
                user: "{contextName}-user"
                namespace: default

            """;
    }

    private void Ensure(string plural, JsonObject binding)
    {
        var type = _auth.Cluster.Registry.Find("rbac.authorization.k8s.io", plural)!;
        var metadata = binding["metadata"]!;
        if (_auth.Cluster.Store.Get(type, (string?)metadata["namespace"], (string)metadata["name"]!) is not null)
            return;
        try
        {
            _auth.Cluster.Store.Create(type, binding);
        }
        catch (ApiStatusException e) when (e.Code == 409)
        {
            // Another caller created it first; the binding is what we wanted either way.
        }
    }
}

/// <summary><c>cluster.Tokens</c> and <c>cluster.Auth</c>: RBAC and tokens, installed on first use.</summary>
public static class ClusterAuthExtensions
{
    extension(EmulatedCluster cluster)
    {
        /// <summary>The instance's tokens (installs RBAC and tokens on the instance on first use).</summary>
        public ClusterTokens Tokens => ClusterAuth.For(cluster).Tokens;

        /// <summary>The instance's authentication and authorization (installed on first use).</summary>
        public ClusterAuth Auth => ClusterAuth.For(cluster);
    }
}
