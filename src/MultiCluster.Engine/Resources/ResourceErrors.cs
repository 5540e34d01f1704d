using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Resources;

/// <summary>
/// Error translation for the raw API answers of the resource layer. The mapping of statuses and
/// transport failures to ids and categories lives in <see cref="KubernetesErrors"/>; this only
/// turns a <see cref="KubeApiResponse"/> into its inputs (status code, the server's message and causes).
/// </summary>
internal static class ResourceErrors
{
    /// <summary>
    /// The fleet exception for an unsuccessful answer about <paramref name="objectRef"/>: 404 is
    /// ResourceNotFound naming the object, 409 ApplyConflict (field manager conflicts),
    /// ResourceAlreadyExists or ResourceChanged, and 400/422 ManifestInvalid, with the server's
    /// causes (the fields at fault).
    /// </summary>
    public static FleetClusterException FromResponse(KubeApiResponse response, string cluster, string? objectRef) =>
        KubernetesErrors.FromServerStatus((int)response.Status, KubernetesErrors.StatusOf(response.Body), cluster, objectRef);
}
