using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Testing.Controllers;

/// <summary>
/// Two small kube-controller-manager controllers that give every namespace what a real one has:
/// the <c>serviceaccounts</c> controller's <c>default</c> ServiceAccount, and the
/// <c>root-ca-cert-publisher</c>'s <c>kube-root-ca.crt</c> ConfigMap holding the instance CA
/// (recreated when deleted, restored when changed). Namespaces being deleted are left alone.
/// </summary>
public sealed class NamespaceDefaultsController(NamespaceDefaultsController.Kind kind) : StoreController
{
    public enum Kind { DefaultServiceAccount, RootCaConfigMap }

    public const string ServiceAccountsName = "serviceaccounts";
    public const string RootCaPublisherName = "root-ca-cert-publisher";
    public const string RootCaConfigMapName = "kube-root-ca.crt";

    public override string Name => kind == Kind.DefaultServiceAccount ? ServiceAccountsName : RootCaPublisherName;

    protected override IReadOnlyList<(string Group, string Resource)> Watches { get; } =
        kind == Kind.DefaultServiceAccount ? [("", "namespaces"), ("", "serviceaccounts")] : [("", "namespaces"), ("", "configmaps")];

    // Every change comes down to "look at this namespace again".
    protected override void OnWatchedChange(StoreEvent change) =>
        Enqueue(change.Key.Resource == "namespaces" ? change.Key : new ObjectKey("", "namespaces", "", change.Key.Namespace));

    protected override void Reconcile(ObjectKey key)
    {
        if (key.Resource != "namespaces")
        {
            Enqueue(new ObjectKey("", "namespaces", "", key.Namespace));
            return;
        }
        var ns = Cluster.Store.Get(Type("namespaces"), null, key.Name);
        if (ns is null || ns["metadata"]?["deletionTimestamp"] is not null || (string?)ns["status"]?["phase"] == "Terminating")
            return;
        if (kind == Kind.DefaultServiceAccount)
            EnsureDefaultServiceAccount(key.Name);
        else
            EnsureRootCa(key.Name);
    }

    private void EnsureDefaultServiceAccount(string ns)
    {
        var type = Type("serviceaccounts");
        if (Cluster.Store.Get(type, ns, "default") is not null)
            return;
        Create(type, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ServiceAccount",
            ["metadata"] = new JsonObject { ["name"] = "default", ["namespace"] = ns },
        });
    }

    private void EnsureRootCa(string ns)
    {
        var type = Type("configmaps");
        var data = new JsonObject { ["ca.crt"] = EmulatedCluster.CertificateAuthorityPem };
        var existing = Cluster.Store.Get(type, ns, RootCaConfigMapName);
        if (existing is null)
        {
            Create(type, new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "ConfigMap",
                ["metadata"] = new JsonObject
                {
                    ["name"] = RootCaConfigMapName,
                    ["namespace"] = ns,
                    ["annotations"] = new JsonObject { ["kubernetes.io/description"] = RootCaDescription },
                },
                ["data"] = data,
            });
            return;
        }
        if (JsonNode.DeepEquals(existing["data"], data))
            return;
        existing["data"] = data;
        Cluster.Store.Update(type, existing);
    }

    private const string RootCaDescription =
        "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

    private void Create(ResourceType type, JsonObject obj)
    {
        try
        {
            Cluster.Store.Create(type, obj);
        }
        catch (ApiStatusException e) when (e.Code == 409)
        {
            // Created meanwhile (by a client or an earlier pass): nothing left to do.
        }
    }

    private ResourceType Type(string plural) => Cluster.Registry.Find("", plural)!;
}
