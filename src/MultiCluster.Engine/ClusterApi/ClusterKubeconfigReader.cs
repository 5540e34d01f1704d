using System.Text;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.ClusterApi;

/// <summary>
/// Reads the admin kubeconfig Cluster API writes for a workload cluster: the <c>value</c> key of
/// secret <c>&lt;cluster&gt;-kubeconfig</c> in the cluster's namespace on the management cluster.
/// The content is returned to the caller only; it never appears in a message.
/// </summary>
public sealed class ClusterKubeconfigReader(IClusterConnector connector)
{
    public const string DataKey = "value";

    public static string SecretName(string cluster) => $"{cluster}-kubeconfig";

    /// <summary>The context of the kubeconfig Cluster API writes: <c>NAME-admin@NAME</c>.</summary>
    public static string ContextName(string cluster) => $"{cluster}-admin@{cluster}";

    /// <summary>
    /// The kubeconfig YAML of workload cluster <paramref name="cluster"/>. Throws
    /// ClusterNotReady when the secret does not exist yet (the control plane is not initialized)
    /// and connection errors as FleetClusterExceptions of <paramref name="management"/>.
    /// </summary>
    public async Task<string> ReadAsync(FleetCluster management, string ns, string cluster, CancellationToken cancellationToken = default)
    {
        var resources = ClusterResources.For(connector.Connect(management), null);
        var reference = $"v1 Secret {ns}/{SecretName(cluster)}";
        KubeObject? secret;
        try
        {
            var type = await resources.Discovery.ResolveAsync("v1", "Secret", cancellationToken).ConfigureAwait(false);
            secret = await resources.Client.GetAsync(type, ns, SecretName(cluster), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not FleetException && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            throw KubernetesErrors.Translate(ex, management.Name, reference, cancellationToken);
        }

        if (secret is null)
        {
            throw new FleetClusterException(FleetErrorIds.ClusterNotReady, FleetErrorCategory.ResourceUnavailable, management.Name,
                $"Cluster '{cluster}' has no kubeconfig yet: secret {ns}/{SecretName(cluster)} does not exist on management cluster '{management.Name}'.",
                recommendedAction: $"Wait until its control plane is initialized (Wait-FleetCluster {cluster}), and check the namespace.", objectRef: reference);
        }
        var encoded = secret.Json["data"]?[DataKey]?.GetValue<string>();
        if (string.IsNullOrEmpty(encoded))
        {
            throw new FleetClusterException(FleetErrorIds.ClusterNotReady, FleetErrorCategory.InvalidData, management.Name,
                $"Secret {ns}/{SecretName(cluster)} on management cluster '{management.Name}' has no '{DataKey}' key.", objectRef: reference);
        }
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        }
        catch (FormatException ex)
        {
            throw new FleetClusterException(FleetErrorIds.ClusterNotReady, FleetErrorCategory.InvalidData, management.Name,
                $"The '{DataKey}' key of secret {ns}/{SecretName(cluster)} is not base64.", ex, objectRef: reference);
        }
    }
}
