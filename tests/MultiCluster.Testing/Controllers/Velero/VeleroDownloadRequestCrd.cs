using System.Text.Json.Nodes;

namespace MultiCluster.Testing.Controllers.Velero;

/// <summary>
/// Velero's DownloadRequest CRD (downloadrequests.velero.io), which ../shared/crds does not hold.
/// A minimal structural schema taken from Velero's published CRD,
/// vmware-tanzu/velero config/crd/v1/bases/velero.io_downloadrequests.yaml: spec.target {kind (enum),
/// name} required, status {phase New|Processed, downloadURL, expiration}; no status subresource,
/// as there; descriptions left out.
/// </summary>
public static class VeleroDownloadRequestCrd
{
    /// <summary>The target kinds Velero's CRD admits.</summary>
    public static readonly IReadOnlyList<string> TargetKinds =
    [
        "BackupLog", "BackupContents", "BackupVolumeSnapshots", "BackupItemOperations", "BackupResourceList", "BackupResults",
        "RestoreLog", "RestoreResults", "RestoreResourceList", "RestoreItemOperations", "CSIBackupVolumeSnapshots",
        "CSIBackupVolumeSnapshotContents", "BackupVolumeInfos", "RestoreVolumeInfo",
    ];

    public static JsonObject Definition() => new()
    {
        ["apiVersion"] = "apiextensions.k8s.io/v1",
        ["kind"] = "CustomResourceDefinition",
        ["metadata"] = new JsonObject { ["name"] = "downloadrequests.velero.io" },
        ["spec"] = new JsonObject
        {
            ["group"] = "velero.io",
            ["names"] = new JsonObject
            {
                ["kind"] = "DownloadRequest", ["listKind"] = "DownloadRequestList", ["plural"] = "downloadrequests", ["singular"] = "downloadrequest",
            },
            ["scope"] = "Namespaced",
            ["versions"] = new JsonArray(new JsonObject
            {
                ["name"] = "v1",
                ["served"] = true,
                ["storage"] = true,
                ["schema"] = new JsonObject
                {
                    ["openAPIV3Schema"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["properties"] = new JsonObject
                        {
                            ["apiVersion"] = new JsonObject { ["type"] = "string" },
                            ["kind"] = new JsonObject { ["type"] = "string" },
                            ["metadata"] = new JsonObject { ["type"] = "object" },
                            ["spec"] = new JsonObject
                            {
                                ["type"] = "object",
                                ["required"] = new JsonArray("target"),
                                ["properties"] = new JsonObject
                                {
                                    ["target"] = new JsonObject
                                    {
                                        ["type"] = "object",
                                        ["required"] = new JsonArray("kind", "name"),
                                        ["properties"] = new JsonObject
                                        {
                                            ["kind"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(TargetKinds.Select(k => (JsonNode?)k).ToArray()) },
                                            ["name"] = new JsonObject { ["type"] = "string" },
                                        },
                                    },
                                },
                            },
                            ["status"] = new JsonObject
                            {
                                ["type"] = "object",
                                ["properties"] = new JsonObject
                                {
                                    ["downloadURL"] = new JsonObject { ["type"] = "string" },
                                    ["expiration"] = new JsonObject { ["type"] = "string", ["format"] = "date-time", ["nullable"] = true },
                                    ["phase"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("New", "Processed") },
                                },
                            },
                        },
                    },
                },
            }),
        },
    };

    /// <summary>Installs the CRD in <paramref name="cluster"/>.</summary>
    public static void Install(EmulatedCluster cluster) => cluster.CreateObject(Definition());
}
