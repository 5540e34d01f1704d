using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Auth;

/// <summary>
/// Authentication and authorization of one instance as a kubeadm/kind cluster has them: bearer
/// tokens from a <see cref="TokenRegistry"/>, RBAC over the instance's own Roles, ClusterRoles
/// and bindings (seeded with <see cref="BootstrapPolicy"/>), impersonation, the access reviews,
/// and the TokenRequest subresource. <see cref="For"/> installs it on an instance once, through
/// the core's extension points; <c>cluster.Tokens</c> does the same on first use.
/// </summary>
public sealed class ClusterAuth
{
    private static readonly ConditionalWeakTable<EmulatedCluster, ClusterAuth> Installed = new();
    private static readonly Lock InstallGate = new();

    private ClusterAuth(EmulatedCluster cluster)
    {
        Cluster = cluster;
        Registry = new TokenRegistry(() => cluster.Clock.UtcNow);
        Rbac = new RbacAuthorizer(new StoreRbacObjects(cluster));
        Tokens = new ClusterTokens(this);
        Aggregation = new Controllers.ClusterRoleAggregationController(Rbac);
    }

    public EmulatedCluster Cluster { get; }

    /// <summary>Every token this instance accepts besides the admin token.</summary>
    public TokenRegistry Registry { get; }

    public RbacAuthorizer Rbac { get; }

    public ClusterTokens Tokens { get; }

    /// <summary>The clusterrole-aggregation controller RBAC runs with (await its WhenIdleAsync in tests).</summary>
    public Controllers.ClusterRoleAggregationController Aggregation { get; }

    /// <summary>Installs RBAC, tokens, impersonation and the review/token hooks on <paramref name="cluster"/> (once).</summary>
    public static ClusterAuth For(EmulatedCluster cluster)
    {
        lock (InstallGate)
        {
            if (Installed.TryGetValue(cluster, out var existing))
                return existing;
            var auth = new ClusterAuth(cluster);
            auth.Install();
            Installed.Add(cluster, auth);
            return auth;
        }
    }

    /// <summary>The authorization chain's answer for <paramref name="request"/>.</summary>
    public AccessDecision Authorize(AccessRequest request) => Rbac.Authorize(request);

    private void Install()
    {
        foreach (var type in ExtraResourceTypes())
            if (Cluster.Registry.Find(type.Group, type.Plural) is null)
                Cluster.Registry.Add(type);
        foreach (var obj in BootstrapPolicy.Objects())
        {
            var type = Cluster.Registry.Find("rbac.authorization.k8s.io", obj["kind"]!.GetValue<string>() switch
            {
                "ClusterRole" => "clusterroles",
                _ => "clusterrolebindings",
            })!;
            if (Cluster.Store.Get(type, null, (string)obj["metadata"]!["name"]!) is null)
                Cluster.Store.Create(type, obj);
        }
        Cluster.AddAuthenticator(new RegistryAuthenticator(Registry));
        Cluster.Authorizer = new RbacClusterAuthorizer(this);
        Cluster.Impersonator = new HeaderImpersonator(this);
        foreach (var hook in AuthHooks.All(this))
            Cluster.AddHook(hook);
        Cluster.AddWriteAdmission(new RbacEscalationCheck(Rbac));
        Cluster.AddController(Aggregation);
    }

    /// <summary>Review kinds kubectl uses that the core does not register.</summary>
    private static IEnumerable<ResourceType> ExtraResourceTypes()
    {
        yield return new ResourceType
        {
            Group = AccessReviews.AuthorizationGroup, Versions = ["v1"], Kind = "SelfSubjectRulesReview",
            Plural = "selfsubjectrulesreviews", Singular = "selfsubjectrulesreview", Namespaced = false, Verbs = ["create"],
        };
        yield return new ResourceType
        {
            Group = AccessReviews.AuthenticationGroup, Versions = ["v1"], Kind = "SelfSubjectReview",
            Plural = "selfsubjectreviews", Singular = "selfsubjectreview", Namespaced = false, Verbs = ["create"],
        };
    }

    internal static AuthUser ToAuthUser(UserInfo user) => new(user.Name, user.Groups);

    internal static UserInfo ToUserInfo(AuthUser user) => new(user.Name, user.Groups);

    private sealed class RegistryAuthenticator(TokenRegistry registry) : IAuthenticator
    {
        public UserInfo? Authenticate(string bearerToken) => registry.Authenticate(bearerToken) is { } user ? ToUserInfo(user) : null;
    }

    private sealed class RbacClusterAuthorizer(ClusterAuth auth) : IAuthorizer
    {
        public AuthorizationDecision Authorize(AuthorizationAttributes attributes)
        {
            var decision = auth.Authorize(new AccessRequest
            {
                User = ToAuthUser(attributes.User),
                Verb = attributes.Verb,
                IsResourceRequest = attributes.IsResourceRequest,
                ApiGroup = attributes.ApiGroup,
                Resource = attributes.Resource,
                Subresource = attributes.Subresource,
                Namespace = attributes.Namespace,
                Name = attributes.Name,
                Path = attributes.Path,
            });
            return new AuthorizationDecision(decision.Allowed, decision.Reason);
        }
    }

    private sealed class HeaderImpersonator(ClusterAuth auth) : IImpersonator
    {
        public UserInfo Impersonate(UserInfo caller, Func<string, IReadOnlyList<string>> header)
        {
            var user = header(Impersonation.UserHeader).FirstOrDefault();
            var groups = header(Impersonation.GroupHeader);
            var uid = header(Impersonation.UidHeader).FirstOrDefault();
            if (!Impersonation.Requested(user, groups, uid))
                return caller;
            var result = Impersonation.Apply(ToAuthUser(caller), user, groups, uid, auth.Authorize);
            if (result.User is { } impersonated)
                return ToUserInfo(impersonated);
            var status = result.ErrorStatus!;
            throw new ApiStatusException(result.StatusCode, (string?)status["reason"] ?? "", (string?)status["message"] ?? "",
                status["details"]?.DeepClone() as JsonObject);
        }
    }

    /// <summary>The RBAC objects as the instance's store holds them.</summary>
    private sealed class StoreRbacObjects(EmulatedCluster cluster) : IRbacObjects
    {
        private const string Group = "rbac.authorization.k8s.io";

        public JsonObject? GetClusterRole(string name) => cluster.Store.Get(Type("clusterroles"), null, name);

        public JsonObject? GetRole(string @namespace, string name) => cluster.Store.Get(Type("roles"), @namespace, name);

        public IEnumerable<JsonObject> ClusterRoles() => cluster.Store.List(Type("clusterroles"), null).Items;

        public IEnumerable<JsonObject> ClusterRoleBindings() => cluster.Store.List(Type("clusterrolebindings"), null).Items;

        public IEnumerable<JsonObject> RoleBindings(string @namespace) => cluster.Store.List(Type("rolebindings"), @namespace).Items;

        private ResourceType Type(string plural) => cluster.Registry.Find(Group, plural)!;
    }
}
