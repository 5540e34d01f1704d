using System.Text.Json.Nodes;
using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Access;

/// <summary>
/// The merge patch that gives a KubeadmControlPlane the OIDC settings. Lists (v1beta2 flags,
/// files, volumes) are replaced whole by a merge patch, so they are written back with every
/// entry this module does not own unchanged and in place; v1beta1's flag map is patched key by
/// key. The read resourceVersion guards against a concurrent writer.
/// </summary>
internal static class KubeadmControlPlaneOidc
{
    private const string AuthenticationVolume = "authentication-config";

    /// <summary>Null when the control plane already holds exactly these settings.</summary>
    public static JsonObject? Patch(KubeObject controlPlane, FleetClusterApiVersion core, OidcSettings settings, FleetOidcMethod method,
        JsonObject? authenticationConfiguration)
    {
        var configSpec = controlPlane.Json["spec"]?["kubeadmConfigSpec"] as JsonObject;
        var apiServer = configSpec?["clusterConfiguration"]?["apiServer"] as JsonObject;

        var currentArgs = ReadArgs(apiServer?["extraArgs"]);
        IReadOnlyList<KeyValuePair<string, string>> wantedArgs = method == FleetOidcMethod.Flags
            ? OidcApiServerRenderer.Flags(settings)
            : [new(OidcApiServerRenderer.AuthenticationConfigArg, OidcApiServerRenderer.AuthenticationConfigPath)];
        // The API server refuses --authentication-config together with any --oidc-* flag.
        bool Conflicts(string name) => method == FleetOidcMethod.Flags
            ? name == OidcApiServerRenderer.AuthenticationConfigArg
            : name.StartsWith(OidcApiServerRenderer.FlagPrefix, StringComparison.Ordinal);
        var desiredArgs = Merge(currentArgs.Where(a => !Conflicts(a.Key)), wantedArgs, a => a.Key);

        var ownedFiles = new[] { OidcApiServerRenderer.AuthenticationConfigPath, OidcApiServerRenderer.CaFilePath };
        var wantedFiles = new List<JsonObject>();
        if (authenticationConfiguration is not null && method == FleetOidcMethod.AuthenticationConfiguration)
            wantedFiles.Add(File(OidcApiServerRenderer.AuthenticationConfigPath, "0600", YamlWriter.Write(authenticationConfiguration)));
        if (settings.CertificateAuthority is { } ca && method == FleetOidcMethod.Flags)
            wantedFiles.Add(File(OidcApiServerRenderer.CaFilePath, "0644", ca));
        var currentFiles = (configSpec?["files"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        // Owned files no longer wanted go; wanted ones are replaced where they stand, so a second run finds nothing to change.
        var desiredFiles = Merge(currentFiles.Where(f => f["path"]?.GetValue<string>() is not { } path || !ownedFiles.Contains(path)
                                                         || wantedFiles.Any(w => w["path"]!.GetValue<string>() == path)), wantedFiles,
            f => f["path"]?.GetValue<string>() ?? "");

        var currentVolumes = (apiServer?["extraVolumes"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var wantedVolumes = method == FleetOidcMethod.AuthenticationConfiguration
            ? new List<JsonObject>
            {
                new()
                {
                    ["name"] = AuthenticationVolume,
                    ["hostPath"] = OidcApiServerRenderer.AuthenticationConfigPath,
                    ["mountPath"] = OidcApiServerRenderer.AuthenticationConfigPath,
                    ["readOnly"] = true,
                    ["pathType"] = "File",
                },
            }
            : [];
        var desiredVolumes = Merge(currentVolumes.Where(v => v["name"]?.GetValue<string>() != AuthenticationVolume || wantedVolumes.Count > 0), wantedVolumes,
            v => v["name"]?.GetValue<string>() ?? "");

        var argsChanged = !currentArgs.SequenceEqual(desiredArgs);
        var filesChanged = !SameObjects(currentFiles, desiredFiles);
        var volumesChanged = !SameObjects(currentVolumes, desiredVolumes);
        if (!argsChanged && !filesChanged && !volumesChanged) return null;

        var apiServerPatch = new JsonObject();
        if (argsChanged) apiServerPatch["extraArgs"] = ArgsPatch(core, currentArgs, desiredArgs);
        if (volumesChanged) apiServerPatch["extraVolumes"] = new JsonArray(desiredVolumes.Select(v => (JsonNode?)v.DeepClone()).ToArray());
        var configSpecPatch = new JsonObject();
        if (filesChanged) configSpecPatch["files"] = new JsonArray(desiredFiles.Select(f => (JsonNode?)f.DeepClone()).ToArray());
        if (apiServerPatch.Count > 0) configSpecPatch["clusterConfiguration"] = new JsonObject { ["apiServer"] = apiServerPatch };
        return new JsonObject
        {
            ["metadata"] = new JsonObject { ["resourceVersion"] = controlPlane.ResourceVersion },
            ["spec"] = new JsonObject { ["kubeadmConfigSpec"] = configSpecPatch },
        };
    }

    /// <summary>v1beta1: the changed keys, and null for removed ones (a map merges); v1beta2: the whole list (a list is replaced).</summary>
    private static JsonNode ArgsPatch(FleetClusterApiVersion core, List<KeyValuePair<string, string>> current, List<KeyValuePair<string, string>> desired)
    {
        if (core != FleetClusterApiVersion.V1Beta1) return KubeadmArgs.Write(core, desired);
        var changed = desired.Where(d => !current.Contains(d)).ToList();
        var patch = (JsonObject)KubeadmArgs.Write(core, changed);
        foreach (var removed in current.Select(c => c.Key).Except(desired.Select(d => d.Key), StringComparer.Ordinal)) patch[removed] = null;
        return patch;
    }

    /// <summary>Flags as (name, value) in order, from a v1beta1 map or a v1beta2 list.</summary>
    private static List<KeyValuePair<string, string>> ReadArgs(JsonNode? node) => node switch
    {
        JsonObject map => map.Select(p => new KeyValuePair<string, string>(p.Key, p.Value?.ToString() ?? "")).ToList(),
        JsonArray list => list.OfType<JsonObject>()
            .Select(e => new KeyValuePair<string, string>(e["name"]?.GetValue<string>() ?? "", e["value"]?.ToString() ?? "")).ToList(),
        _ => [],
    };

    /// <summary>
    /// <paramref name="kept"/> in order with each entry named like a wanted one replaced where it
    /// stands (later duplicates dropped), then the wanted entries not there yet.
    /// </summary>
    private static List<T> Merge<T>(IEnumerable<T> kept, IReadOnlyList<T> wanted, Func<T, string> key)
    {
        var wantedByKey = wanted.ToDictionary(key, StringComparer.Ordinal);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<T>();
        foreach (var entry in kept)
        {
            var name = key(entry);
            if (!wantedByKey.TryGetValue(name, out var replacement)) result.Add(entry);
            else if (placed.Add(name)) result.Add(replacement);
        }
        result.AddRange(wanted.Where(w => !placed.Contains(key(w))));
        return result;
    }

    private static bool SameObjects(List<JsonObject> a, List<JsonObject> b) =>
        a.Count == b.Count && a.Zip(b).All(pair => JsonNode.DeepEquals(pair.First, pair.Second));

    private static JsonObject File(string path, string permissions, string content) => new()
    {
        ["path"] = path,
        ["owner"] = "root:root",
        ["permissions"] = permissions,
        ["content"] = content,
    };
}
