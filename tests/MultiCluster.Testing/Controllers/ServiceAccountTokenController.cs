using System.Text;
using MultiCluster.Testing.ApiServer;
using MultiCluster.Testing.ApiServer.Auth;

namespace MultiCluster.Testing.Controllers;

/// <summary>
/// Stands in for kube-controller-manager's legacy token controller: a Secret of type
/// <c>kubernetes.io/service-account-token</c> annotated <c>kubernetes.io/service-account.name</c>
/// gets <c>data.token</c> (a token the instance accepts as that service account while both the
/// Secret and the service account exist), <c>data["ca.crt"]</c> (the instance CA) and
/// <c>data.namespace</c>, and the <c>kubernetes.io/service-account.uid</c> annotation. A Secret
/// naming a service account that does not exist yet is filled once it appears (the real
/// controller deletes such Secrets instead). Installs <see cref="ClusterAuth"/> on the instance.
/// </summary>
public sealed class ServiceAccountTokenController : StoreController
{
    public const string ControllerName = "serviceaccount-tokens";

    private ClusterAuth? _auth;

    public override string Name => ControllerName;

    protected override IReadOnlyList<(string Group, string Resource)> Watches { get; } = [("", "secrets"), ("", "serviceaccounts")];

    private ClusterAuth Auth => _auth ?? throw new InvalidOperationException("controller not started");

    protected override void OnStart() => _auth = ClusterAuth.For(Cluster.Cluster);

    protected override void OnWatchedChange(StoreEvent change)
    {
        if (change.Key.Resource == "secrets")
        {
            Enqueue(change.Key);
            return;
        }
        // A service account appearing may complete the Secrets that name it.
        if (change.Type == WatchEventType.Deleted)
            return;
        foreach (var secret in Cluster.Store.List(Secrets, change.Key.Namespace).Items)
            if (NamesServiceAccount(secret, change.Key.Name))
                Enqueue(ObjectKey.For(Secrets, change.Key.Namespace, (string)secret["metadata"]!["name"]!));
    }

    protected override void Reconcile(ObjectKey key)
    {
        if (key.Resource != "secrets")
            return;
        var secret = Cluster.Store.Get(Secrets, key.Namespace, key.Name);
        if (secret is null || (string?)secret["type"] != ServiceAccountTokens.LegacySecretType || secret["data"]?["token"] is not null)
            return;
        var saName = (string?)secret["metadata"]?["annotations"]?[ServiceAccountTokens.ServiceAccountNameAnnotation];
        if (string.IsNullOrEmpty(saName))
            return;
        var serviceAccounts = Cluster.Registry.Find("", "serviceaccounts")!;
        var serviceAccount = Cluster.Store.Get(serviceAccounts, key.Namespace, saName);
        if (serviceAccount is null)
            return;
        var saUid = (string?)serviceAccount["metadata"]?["uid"];
        var secretUid = (string?)secret["metadata"]?["uid"];
        var store = Cluster.Store;
        var token = ServiceAccountTokens.IssueLegacy(serviceAccount, key.Name, Auth.Registry, () =>
            (string?)store.Get(Secrets, key.Namespace, key.Name)?["metadata"]?["uid"] == secretUid
            && (string?)store.Get(serviceAccounts, key.Namespace, saName)?["metadata"]?["uid"] == saUid);
        var data = secret["data"] as System.Text.Json.Nodes.JsonObject ?? [];
        data["token"] = Base64(token);
        data["ca.crt"] = Base64(EmulatedCluster.CertificateAuthorityPem);
        data["namespace"] = Base64(key.Namespace);
        secret["data"] = data;
        secret["metadata"]!["annotations"]![ServiceAccountTokens.ServiceAccountUidAnnotation] = saUid;
        try
        {
            Cluster.Store.Update(Secrets, secret);
        }
        catch (ApiStatusException e) when (e.Code == 409)
        {
            // The Secret changed meanwhile; this token will never be handed out.
            Auth.Registry.Revoke(token);
            throw;
        }
    }

    private ResourceType Secrets => Cluster.Registry.Find("", "secrets")!;

    private static bool NamesServiceAccount(System.Text.Json.Nodes.JsonObject secret, string name) =>
        (string?)secret["type"] == ServiceAccountTokens.LegacySecretType
        && (string?)secret["metadata"]?["annotations"]?[ServiceAccountTokens.ServiceAccountNameAnnotation] == name;

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
