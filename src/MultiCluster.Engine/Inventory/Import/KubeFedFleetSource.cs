using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Inventory.Import;

/// <summary>
/// The clusters a KubeFed host cluster joined: every KubeFedCluster (core.kubefed.io/v1beta1) of
/// the KubeFed namespace with its <c>spec.apiEndpoint</c>, <c>spec.caBundle</c> and the
/// <c>token</c> of the secret <c>spec.secretRef</c> names in that namespace, as kubefedctl join
/// leaves them. A KubeFedCluster whose secret or token is missing refuses the whole import
/// (FleetSourceInvalid) before the session changes, naming each such cluster and secret.
/// </summary>
internal static class KubeFedFleetSource
{
    public const string DefaultNamespace = "kube-federation-system";
    public const string ApiVersion = "core.kubefed.io/v1beta1";

    public static async Task<FleetSourceRead> ReadAsync(SourceObjects objects, string? ns, CancellationToken cancellationToken)
    {
        ns ??= DefaultNamespace;
        var members = await objects.ListAsync(ApiVersion, "KubeFedCluster", ns, null, "KubeFed", cancellationToken).ConfigureAwait(false);
        var imported = new List<ImportedCluster>();
        var invalid = new List<string>();
        foreach (var member in members.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            var origin = $"KubeFedCluster {ns}/{member.Name} on '{objects.Cluster}'";
            var spec = member.Json["spec"];
            var server = SourceObjects.Text(spec?["apiEndpoint"]);
            var secretName = SourceObjects.Text(spec?["secretRef"]?["name"]);
            if (server is null || secretName is null)
            {
                invalid.Add($"{origin} has no {(server is null ? "spec.apiEndpoint" : "spec.secretRef.name")}");
                continue;
            }
            var secret = await objects.GetSecretAsync(ns, secretName, cancellationToken).ConfigureAwait(false);
            var token = secret is null ? null : SourceObjects.SecretValue(secret, "token");
            if (token is null)
            {
                invalid.Add(secret is null
                    ? $"{origin} names the secret {ns}/{secretName}, which does not exist"
                    : $"{origin} names the secret {ns}/{secretName}, which has no 'token' key");
                continue;
            }
            var endpoint = new JsonObject { ["server"] = server };
            if (SourceObjects.Text(spec?["caBundle"]) is { } caBundle) endpoint["certificate-authority-data"] = caBundle;
            // KubeFed's "*" turns every TLS check off; "SubjectName" only the host name check, which a kubeconfig cannot say alone.
            if ((spec?["disabledTLSValidations"] as JsonArray ?? []).Any(v => SourceObjects.Text(v) == "*")) endpoint["insecure-skip-tls-verify"] = true;
            if (SourceObjects.Text(spec?["proxyURL"]) is { } proxy) endpoint["proxy-url"] = proxy;
            imported.Add(new ImportedCluster(new FleetCluster
            {
                Name = member.Name,
                Context = member.Name,
                Region = SourceObjects.RegionOf(member.Labels),
                Labels = SourceObjects.FleetLabels(member.Labels, _ => false),
            }, endpoint, new JsonObject { ["token"] = token }, origin));
        }
        if (invalid.Count > 0)
        {
            throw new FleetInputException(FleetImportErrorIds.FleetSourceInvalid, FleetErrorCategory.InvalidData, objects.Cluster,
                $"Cannot import the KubeFed clusters of '{objects.Cluster}': {string.Join("; ", invalid)}. Nothing was imported.",
                recommendedAction: "Join the cluster again (kubefedctl join) or create its token secret, then import again.");
        }
        return new FleetSourceRead(imported, []);
    }
}
