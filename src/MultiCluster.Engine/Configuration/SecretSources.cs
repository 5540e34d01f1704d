using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Reporting;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Configuration;

/// <summary>
/// Turns a <see cref="SecretSourceRequest"/> into the objects to sync, checking everything before
/// any cluster is changed: one source, known keys with values, names that exist on the source
/// cluster. Errors name keys, objects and files, never a value.
/// </summary>
public static partial class SecretSources
{
    internal static readonly ResourceType SecretType = new("", "v1", "Secret", "secrets", true);
    internal static readonly ResourceType ConfigMapType = new("", "v1", "ConfigMap", "configmaps", true);

    internal static ResourceType TypeOf(string kind) => kind == SyncedObject.ConfigMapKind ? ConfigMapType : SecretType;

    public static async Task<SecretSyncSource> ResolveAsync(SecretSourceRequest request, IClusterConnector connector,
        CancellationToken cancellationToken = default)
    {
        CheckOneSource(request);
        foreach (var name in request.Names) CheckName(name, "-Name");
        if (request.Namespace is not null) CheckName(request.Namespace, "-Namespace");
        if (request.SourceCluster is not null) return await FromClusterAsync(request, connector, cancellationToken).ConfigureAwait(false);
        var objects = request.Paths.Count > 0 ? FromFiles(request) : [FromValues(request)];
        return new SecretSyncSource(objects, objects.Select(o => o.Name).ToHashSet(StringComparer.Ordinal));
    }

    private static void CheckOneSource(SecretSourceRequest request)
    {
        var given = request.GivenSources;
        if (given.Count == 1) return;
        var message = given.Count == 0
            ? "No content to sync was given."
            : $"{string.Join(" and ", given)} cannot be given together: each is a source of the content to sync.";
        throw new FleetInputException(ConfigurationErrorIds.SecretSourceConflict, FleetErrorCategory.InvalidArgument,
            given.Count == 0 ? "(source)" : string.Join(", ", given), message,
            recommendedAction: "Give one of -Value (a SecureString, also from the pipeline), -Credential, -Data (a hashtable of SecureStrings), -Path (a manifest), or -SourceCluster with -Name or -SourceSelector.");
    }

    private static SyncedObject FromValues(SecretSourceRequest request)
    {
        var parameter = request.GivenSources[0];
        if (request.Names.Count != 1)
        {
            throw new FleetInputException(ConfigurationErrorIds.SecretSourceConflict, FleetErrorCategory.InvalidArgument, "-Name",
                request.Names.Count == 0
                    ? $"{parameter} needs -Name, the name of the {request.Kind} to create."
                    : $"{parameter} makes one {request.Kind}, but -Name gives {request.Names.Count} names ({string.Join(", ", request.Names)}).",
                recommendedAction: "Give one -Name.");
        }
        var name = request.Names[0];
        var where = $"{request.Kind} {Shown(request.Namespace, name)} ({parameter})";
        if (request.Values.Count == 0)
        {
            throw new FleetInputException(ConfigurationErrorIds.SecretValueEmpty, FleetErrorCategory.InvalidData, where,
                $"{parameter} holds no keys for {request.Kind} {Shown(request.Namespace, name)}.");
        }
        SecretValue.Check(request.Values, where);
        return new SyncedObject(request.Kind, name, request.Namespace, request.SecretType, request.Values, parameter, name);
    }

    private static IReadOnlyList<SyncedObject> FromFiles(SecretSourceRequest request)
    {
        var documents = ManifestReader.ReadPaths(request.Paths);
        var result = new List<SyncedObject>();
        foreach (var document in documents)
        {
            var file = document.Origin?.Source ?? "(file)";
            var where = $"{document.Kind} {Shown(document.Namespace, document.Name)} in {file}";
            if (document.ApiVersion != "v1" || document.Kind != request.Kind)
            {
                throw new FleetInputException(ConfigurationErrorIds.SecretManifestInvalid, FleetErrorCategory.InvalidData, where,
                    $"{file} holds a {document.ApiVersion} {document.Kind} ({document.Name}); only v1 {request.Kind} documents can be synced{(request.Kind == SyncedObject.SecretKind ? " (give -Kind ConfigMap for ConfigMaps)" : "")}.");
            }
            if (request.Names.Count > 0 && !request.Names.Contains(document.Name, StringComparer.Ordinal)) continue;
            var values = ValuesOfManifest(document, where);
            if (values.Count == 0)
            {
                throw new FleetInputException(ConfigurationErrorIds.SecretValueEmpty, FleetErrorCategory.InvalidData, where,
                    $"{where} has no data{(request.Kind == SyncedObject.SecretKind ? " or stringData" : " or binaryData")}.");
            }
            SecretValue.Check(values, where);
            var type = request.Kind == SyncedObject.SecretKind ? document.Json["type"]?.GetValue<string>() ?? "Opaque" : "";
            result.Add(new SyncedObject(request.Kind, document.Name, request.Namespace ?? document.Namespace, type, values,
                Path.GetFileName(file), document.Name));
        }
        var missing = request.Names.Where(n => !result.Any(o => o.Name == n)).ToList();
        if (missing.Count > 0 || result.Count == 0)
        {
            var names = missing.Count > 0 ? string.Join(", ", missing) : "(any)";
            throw new FleetInputException(ConfigurationErrorIds.SecretSourceNotFound, FleetErrorCategory.ObjectNotFound, $"{request.Kind} {names}",
                $"{string.Join(", ", request.Paths)} holds no {request.Kind} {names}.",
                recommendedAction: "Check the file, or the names given with -Name.");
        }
        var duplicate = result.GroupBy(o => (o.Namespace, o.Name)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new FleetInputException(ConfigurationErrorIds.SecretManifestInvalid, FleetErrorCategory.InvalidData, duplicate.First().ToString(),
                $"{request.Kind} {Shown(duplicate.Key.Namespace, duplicate.Key.Name)} is given more than once in {string.Join(", ", request.Paths)}.");
        }
        return result;
    }

    // Secret data is base64, stringData plain text (it wins over data, as the API server merges it);
    // ConfigMap data is text and binaryData base64.
    private static IReadOnlyList<SecretValue> ValuesOfManifest(KubeObject document, string where)
    {
        var values = new Dictionary<string, SecretValue>(StringComparer.Ordinal);
        var isSecret = document.Kind == SyncedObject.SecretKind;
        void Read(string field, bool base64)
        {
            if (document.Json[field] is null) return;
            if (document.Json[field] is not JsonObject map)
            {
                throw new FleetInputException(ConfigurationErrorIds.SecretManifestInvalid, FleetErrorCategory.InvalidData, where,
                    $"{field} of {where} is not a mapping of keys to values.");
            }
            foreach (var (key, node) in map)
            {
                if (node is not JsonValue scalar || !scalar.TryGetValue<string>(out var text))
                {
                    throw new FleetInputException(ConfigurationErrorIds.SecretManifestInvalid, FleetErrorCategory.InvalidData, $"{where} key '{key}'",
                        $"{field}.{key} of {where} is not a string.");
                }
                if (base64 && !IsBase64(text))
                {
                    throw new FleetInputException(ConfigurationErrorIds.SecretManifestInvalid, FleetErrorCategory.InvalidData, $"{where} key '{key}'",
                        $"{field}.{key} of {where} is not valid base64.",
                        recommendedAction: isSecret ? "Encode the value in base64, or put it under stringData as plain text." : "Encode the value in base64.");
                }
                values[key] = new SecretValue(key, base64 ? () => Convert.FromBase64String(text) : () => Encoding.UTF8.GetBytes(text), text.Length == 0);
            }
        }
        if (isSecret)
        {
            Read("data", base64: true);
            Read("stringData", base64: false);
        }
        else
        {
            Read("data", base64: false);
            Read("binaryData", base64: true);
        }
        return values.Values.ToList();
    }

    private static async Task<SecretSyncSource> FromClusterAsync(SecretSourceRequest request, IClusterConnector connector, CancellationToken cancellationToken)
    {
        var cluster = request.SourceCluster!;
        if (request.Names.Count == 0 && request.SourceSelector is null)
        {
            throw new FleetInputException(ConfigurationErrorIds.SecretSourceConflict, FleetErrorCategory.InvalidArgument, "-SourceCluster",
                $"-SourceCluster needs -Name (the {request.Kind}s to copy) or -SourceSelector (a label selector over them).",
                recommendedAction: "Add -Name db or -SourceSelector 'app=shop'.");
        }
        var resources = ClusterResources.For(connector.Connect(cluster), null);
        var ns = request.SourceNamespace ?? resources.Connection.DefaultNamespace;
        var type = TypeOf(request.Kind);
        IReadOnlyList<KubeObject> all;
        try
        {
            all = await resources.Client.ListAsync(type, ns, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw KubernetesErrors.Translate(ex, cluster.Name, $"{request.Kind}s in namespace {ns}", cancellationToken);
        }
        var picked = new List<KubeObject>();
        foreach (var name in request.Names)
        {
            picked.Add(all.FirstOrDefault(o => o.Name == name) ?? throw new FleetInputException(ConfigurationErrorIds.SecretSourceNotFound,
                FleetErrorCategory.ObjectNotFound, $"{cluster.Name}/{ns}/{name}",
                $"{request.Kind} {ns}/{name} does not exist on the source cluster '{cluster.Name}'.",
                recommendedAction: $"Check the name with Get-FleetResource -Kind {request.Kind} -Namespace {ns} -Cluster {cluster.Name}."));
        }
        if (request.SourceSelector is { } selector)
        {
            IReadOnlyList<KubeObject> selected;
            try
            {
                selected = await resources.Client.ListAsync(type, ns, selector, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw KubernetesErrors.Translate(ex, cluster.Name, $"{request.Kind}s in namespace {ns} matching '{selector}'", cancellationToken);
            }
            if (selected.Count == 0)
            {
                throw new FleetInputException(ConfigurationErrorIds.SecretSourceNotFound, FleetErrorCategory.ObjectNotFound, $"{cluster.Name}/{ns}",
                    $"No {request.Kind} in namespace {ns} of the source cluster '{cluster.Name}' matches the selector '{selector}'.");
            }
            picked.AddRange(selected.Where(s => !picked.Any(p => p.Name == s.Name)));
        }

        var syncSet = SyncSetOf(cluster.Name, ns);
        var objects = new List<SyncedObject>();
        foreach (var live in picked)
        {
            var liveType = SyncedObject.TypeOf(live);
            // A service account's token belongs to the cluster that issued it.
            if (liveType == "kubernetes.io/service-account-token")
            {
                FleetCallContext.Reporter.Warning($"Secret {ns}/{live.Name} on '{cluster.Name}' is a service account token, which only its own cluster accepts; it is not copied.");
                continue;
            }
            var values = SyncedObject.ValuesOf(live);
            var where = $"{request.Kind} {ns}/{live.Name} on the source cluster '{cluster.Name}'";
            SecretValue.Check(values, where);
            objects.Add(new SyncedObject(request.Kind, live.Name, request.Namespace ?? ns, liveType, values, $"{cluster.Name}/{ns}/{live.Name}", syncSet));
        }
        var skipped = (request.Namespace ?? ns) == ns ? cluster.Name : null;
        if (skipped is not null) FleetCallContext.Reporter.Verbose($"The source cluster '{cluster.Name}' is not a target: its {request.Kind}s are the source.");
        // Under a selector, an object that no longer matches is no longer the source's.
        var current = request.SourceSelector is null ? all.Select(o => o.Name) : objects.Select(o => o.Name);
        return new SecretSyncSource(objects, current.ToHashSet(StringComparer.Ordinal)) { SkippedCluster = skipped };
    }

    /// <summary>The <see cref="SyncedObject.SyncSetLabel"/> of copies from a source namespace: <c>cluster.namespace</c>, or a hash when that is no label value.</summary>
    internal static string SyncSetOf(string cluster, string ns)
    {
        var text = $"{cluster}.{ns}";
        return LabelValue().IsMatch(text)
            ? text
            : "src-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16].ToLowerInvariant();
    }

    private static void CheckName(string name, string parameter)
    {
        if (DnsSubdomain().IsMatch(name) && name.Length <= 253) return;
        throw new FleetInputException(FleetErrorIds.ManifestInvalid, FleetErrorCategory.InvalidArgument, $"{parameter} {name}",
            $"{parameter} '{name}' is not a valid name: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit.");
    }

    private static bool IsBase64(string text)
    {
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        try
        {
            return Convert.TryFromBase64String(text, buffer, out _);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    private static string Shown(string? ns, string name) => ns is null ? name : $"{ns}/{name}";

    [GeneratedRegex("^[a-zA-Z0-9]([-_.a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$")]
    private static partial Regex LabelValue();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")]
    private static partial Regex DnsSubdomain();
}
