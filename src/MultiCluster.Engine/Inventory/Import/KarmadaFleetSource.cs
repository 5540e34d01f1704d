using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Inventory.Import;

/// <summary>
/// The member clusters of a Karmada control plane: every Cluster (cluster.karmada.io/v1alpha1,
/// cluster-scoped) with <c>spec.apiEndpoint</c>, the <c>token</c> and <c>caBundle</c> of the
/// secret <c>spec.secretRef</c> names, <c>insecureSkipTLSVerification</c>, and region, zones and
/// provider. A Pull-mode cluster (no secretRef: Karmada holds no credentials for it) is not
/// importable; a secretRef whose secret or token is missing refuses the import (FleetSourceInvalid).
/// </summary>
internal static class KarmadaFleetSource
{
    public const string ApiVersion = "cluster.karmada.io/v1alpha1";
    public const string ZoneLabel = "topology.kubernetes.io/zone";

    public static async Task<FleetSourceRead> ReadAsync(SourceObjects objects, CancellationToken cancellationToken)
    {
        var members = await objects.ListAsync(ApiVersion, "Cluster", null, null, "Karmada", cancellationToken).ConfigureAwait(false);
        var imported = new List<ImportedCluster>();
        var notImportable = new List<string>();
        var invalid = new List<string>();
        foreach (var member in members.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            var origin = $"Karmada Cluster {member.Name} on '{objects.Cluster}'";
            var spec = member.Json["spec"];
            var apiEndpoint = SourceObjects.Text(spec?["apiEndpoint"]);
            var secretNs = SourceObjects.Text(spec?["secretRef"]?["namespace"]);
            var secretName = SourceObjects.Text(spec?["secretRef"]?["name"]);
            if (apiEndpoint is null || secretNs is null || secretName is null)
            {
                notImportable.Add($"{origin} is not importable: {(apiEndpoint is null ? "it has no spec.apiEndpoint" : "it has no spec.secretRef (a Pull-mode cluster: Karmada holds no credentials for it)")}.");
                continue;
            }
            var secret = await objects.GetSecretAsync(secretNs, secretName, cancellationToken).ConfigureAwait(false);
            var token = secret is null ? null : SourceObjects.SecretValue(secret, "token");
            if (token is null)
            {
                invalid.Add(secret is null
                    ? $"{origin} names the secret {secretNs}/{secretName}, which does not exist"
                    : $"{origin} names the secret {secretNs}/{secretName}, which has no 'token' key");
                continue;
            }
            // The API endpoint may be host:port without a scheme (karmadactl join writes the kubeconfig's server).
            var endpoint = new JsonObject { ["server"] = apiEndpoint.Contains("://", StringComparison.Ordinal) ? apiEndpoint : "https://" + apiEndpoint };
            if (SourceObjects.SecretRaw(secret!, "caBundle") is { } caBundle) endpoint["certificate-authority-data"] = caBundle;
            if (spec?["insecureSkipTLSVerification"] is JsonValue skip && skip.TryGetValue<bool>(out var insecure) && insecure) endpoint["insecure-skip-tls-verify"] = true;
            if (SourceObjects.Text(spec?["proxyURL"]) is { } proxy) endpoint["proxy-url"] = proxy;

            var labels = SourceObjects.FleetLabels(member.Labels, _ => false);
            var zones = (spec?["zones"] as JsonArray ?? []).Select(SourceObjects.Text).OfType<string>().ToList();
            var zone = zones.Count == 1 ? zones[0] : SourceObjects.Text(spec?["zone"]);
            if (zone is not null && !labels.ContainsKey(ZoneLabel)) labels[ZoneLabel] = zone;
            imported.Add(new ImportedCluster(new FleetCluster
            {
                Name = member.Name,
                Context = member.Name,
                Region = SourceObjects.Text(spec?["region"]) ?? SourceObjects.RegionOf(member.Labels),
                Provider = SourceObjects.Text(spec?["provider"]),
                Labels = labels,
            }, endpoint, new JsonObject { ["token"] = token }, origin));
        }
        if (invalid.Count > 0)
        {
            throw new FleetInputException(FleetImportErrorIds.FleetSourceInvalid, FleetErrorCategory.InvalidData, objects.Cluster,
                $"Cannot import the Karmada clusters of '{objects.Cluster}': {string.Join("; ", invalid)}. Nothing was imported.",
                recommendedAction: "Join the cluster again (karmadactl join) or create its secret, then import again.");
        }
        return new FleetSourceRead(imported, notImportable);
    }
}
