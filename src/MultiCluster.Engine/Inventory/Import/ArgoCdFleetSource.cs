using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Inventory.Import;

/// <summary>
/// The clusters Argo CD knows: the Secrets labelled <c>argocd.argoproj.io/secret-type=cluster</c>
/// in its namespace, each with <c>name</c>, <c>server</c> and <c>config</c> (bearerToken,
/// username/password, tlsClientConfig; execProviderConfig and awsAuthConfig become a kubeconfig
/// exec). The Secret's other labels become fleet labels; region and role come back from the labels
/// Register-FleetArgoCluster writes (or a region label). A Secret without server refuses the
/// import (FleetSourceInvalid); one whose credentials a kubeconfig cannot express is reported as
/// not importable, with the reason.
/// </summary>
internal static class ArgoCdFleetSource
{
    public const string DefaultNamespace = "argocd";
    public const string SecretTypeLabel = "argocd.argoproj.io/secret-type";
    public const string RoleLabel = "multicluster.io/role";

    /// <summary>The address Argo CD means by its own cluster (in-cluster).</summary>
    public const string InClusterServer = "https://kubernetes.default.svc";

    public static async Task<FleetSourceRead> ReadAsync(SourceObjects objects, string? ns, CancellationToken cancellationToken)
    {
        ns ??= DefaultNamespace;
        var secrets = await objects.ListAsync("v1", "Secret", ns, $"{SecretTypeLabel}=cluster", "Argo CD", cancellationToken).ConfigureAwait(false);
        var imported = new List<ImportedCluster>();
        var notImportable = new List<string>();
        var invalid = new List<string>();
        foreach (var secret in secrets.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var origin = $"Argo CD cluster secret {ns}/{secret.Name} on '{objects.Cluster}'";
            var server = SourceObjects.SecretValue(secret, "server")?.TrimEnd('/');
            if (server is null)
            {
                invalid.Add($"{origin} has no 'server'");
                continue;
            }
            var name = SourceObjects.SecretValue(secret, "name") ?? secret.Name;
            if (server == InClusterServer)
            {
                notImportable.Add($"{origin} ('{name}') is Argo CD's in-cluster, the cluster Argo CD runs in: it is imported as the management cluster '{objects.Cluster}'.");
                continue;
            }
            JsonObject config;
            try
            {
                config = JsonNode.Parse(SourceObjects.SecretValue(secret, "config") ?? "{}") as JsonObject ?? [];
            }
            catch (JsonException)
            {
                invalid.Add($"{origin} has a 'config' that is not JSON"); // never quote it: it holds the credentials
                continue;
            }
            var user = User(config, out var reason);
            if (user is null)
            {
                notImportable.Add($"{origin} ('{name}') is not importable: {reason}");
                continue;
            }
            var labels = secret.Labels;
            var role = labels.GetValueOrDefault(RoleLabel) switch
            {
                "management" => FleetClusterRole.Management,
                "dr" => FleetClusterRole.Dr,
                _ => FleetClusterRole.Workload,
            };
            imported.Add(new ImportedCluster(new FleetCluster
            {
                Name = name,
                Context = name,
                Region = SourceObjects.RegionOf(labels),
                Role = role,
                Labels = SourceObjects.FleetLabels(labels, key => key is SecretTypeLabel or RoleLabel or KubeObject.ManagedByLabel),
            }, Endpoint(server, config), user, origin));
        }
        if (invalid.Count > 0)
        {
            throw new FleetInputException(FleetImportErrorIds.FleetSourceInvalid, FleetErrorCategory.InvalidData, objects.Cluster,
                $"Cannot import the Argo CD clusters of '{objects.Cluster}': {string.Join("; ", invalid)}. Nothing was imported.",
                recommendedAction: "Fix the cluster secret (argocd cluster add writes name, server and config), then import again.");
        }
        return new FleetSourceRead(imported, notImportable);
    }

    private static JsonObject Endpoint(string server, JsonObject config)
    {
        var tls = config["tlsClientConfig"];
        var endpoint = new JsonObject { ["server"] = server };
        if (SourceObjects.Text(tls?["caData"]) is { } ca) endpoint["certificate-authority-data"] = ca;
        if (SourceObjects.Text(tls?["serverName"]) is { } serverName) endpoint["tls-server-name"] = serverName;
        if (tls?["insecure"] is JsonValue insecure && insecure.TryGetValue<bool>(out var skip) && skip) endpoint["insecure-skip-tls-verify"] = true;
        if (SourceObjects.Text(config["proxyUrl"]) is { } proxy) endpoint["proxy-url"] = proxy;
        return endpoint;
    }

    /// <summary>The kubeconfig user for Argo CD's credentials, or null with the reason none can be written.</summary>
    private static JsonObject? User(JsonObject config, out string reason)
    {
        reason = "";
        var user = new JsonObject();
        var tls = config["tlsClientConfig"];
        if (SourceObjects.Text(config["bearerToken"]) is { } token) user["token"] = token;
        if (SourceObjects.Text(config["username"]) is { } username && SourceObjects.Text(config["password"]) is { } password)
        {
            user["username"] = username;
            user["password"] = password;
        }
        if (SourceObjects.Text(tls?["certData"]) is { } certificate && SourceObjects.Text(tls?["keyData"]) is { } key)
        {
            user["client-certificate-data"] = certificate;
            user["client-key-data"] = key;
        }
        if (config["execProviderConfig"] is JsonObject exec)
        {
            if (SourceObjects.Text(exec["command"]) is not { } command)
            {
                reason = "its execProviderConfig names no command";
                return null;
            }
            user["exec"] = new JsonObject
            {
                ["apiVersion"] = SourceObjects.Text(exec["apiVersion"]) ?? "client.authentication.k8s.io/v1beta1",
                ["command"] = command,
                ["args"] = (exec["args"] as JsonArray)?.DeepClone() ?? new JsonArray(),
                ["env"] = new JsonArray((exec["env"] as JsonObject ?? []).Select(e => (JsonNode?)new JsonObject { ["name"] = e.Key, ["value"] = e.Value?.DeepClone() }).ToArray()),
                ["interactiveMode"] = "Never",
            };
        }
        else if (config["awsAuthConfig"] is JsonObject aws)
        {
            if (SourceObjects.Text(aws["clusterName"]) is not { } cluster)
            {
                reason = "its awsAuthConfig names no clusterName";
                return null;
            }
            // What argocd-k8s-auth aws does, as the AWS CLI writes it (the module makes EKS tokens in process for this form).
            var args = new JsonArray("eks", "get-token", "--cluster-name", cluster);
            if (SourceObjects.Text(aws["roleARN"]) is { } role) { args.Add("--role-arn"); args.Add(role); }
            if (SourceObjects.Text(aws["profile"]) is { } profile) { args.Add("--profile"); args.Add(profile); }
            user["exec"] = new JsonObject
            {
                ["apiVersion"] = "client.authentication.k8s.io/v1beta1",
                ["command"] = "aws",
                ["args"] = args,
                ["interactiveMode"] = "Never",
            };
        }
        if (user.Count == 0)
        {
            reason = "its config holds no bearerToken, username and password, client certificate, execProviderConfig or awsAuthConfig";
            return null;
        }
        return user;
    }
}
