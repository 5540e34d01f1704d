using System.Text.Json.Nodes;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Lifecycle;

/// <summary>What a kubeconfig points at, without its credentials.</summary>
public sealed record KubeconfigSummary(string? Context, string? Server);

/// <summary>
/// Get-FleetClusterCredential -Merge: adds a workload cluster's kubeconfig to a kubeconfig file
/// (its cluster, user and context entries replace those of the same name, as a re-created
/// cluster has new credentials) written owner-only. No kubeconfig text ever goes into a message.
/// </summary>
public static class ClusterKubeconfigFile
{
    private static readonly string[] NamedLists = ["clusters", "users", "contexts"];
    private static readonly object WriteGate = new();

    /// <summary>The context and API server of <paramref name="kubeconfig"/> (the current context, else the first).</summary>
    public static KubeconfigSummary Describe(string kubeconfig, string source)
    {
        var root = Parse(kubeconfig, source);
        var context = (string?)root["current-context"] is { Length: > 0 } current ? current : Names(root, "contexts").FirstOrDefault();
        var clusterName = Entries(root, "contexts").FirstOrDefault(c => (string?)c["name"] == context)?["context"]?["cluster"];
        var server = Entries(root, "clusters").FirstOrDefault(c => (string?)c["name"] == (string?)clusterName)?["cluster"]?["server"];
        return new KubeconfigSummary(context, (string?)server);
    }

    /// <summary>
    /// The kubeconfig file kubectl writes to: the first of the session's files, else ~/.kube/config.
    /// A session whose kubeconfig came from content (a runbook's -KubeconfigContent) has no file,
    /// and credentials are not written to disk unasked: that needs a path (KubeconfigPathRequired).
    /// </summary>
    public static string DefaultPath(KubeconfigSource source)
    {
        if (source.IsContent)
        {
            throw new FleetInputException(LifecycleErrorIds.KubeconfigPathRequired, FleetErrorCategory.InvalidArgument, "-KubeconfigPath",
                "The session's kubeconfig came from content (-KubeconfigContent), not a file, so -Merge has no file to add the contexts to and writes none unasked.",
                recommendedAction: "Give -KubeconfigPath to name the file to write, or leave out -Merge to get the credential objects.");
        }
        return source.Files.Count > 0
            ? source.Files[0]
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
    }

    /// <summary>
    /// Merges <paramref name="kubeconfig"/> into the file at <paramref name="path"/> (created when
    /// missing; its current-context is kept when it has one) and writes it with mode 0600 on Unix.
    /// <paramref name="source"/> names where the kubeconfig came from, for errors.
    /// </summary>
    public static void Merge(string path, string kubeconfig, string source)
    {
        var incoming = Parse(kubeconfig, source);
        var full = Path.GetFullPath(KubeconfigSource.ExpandHome(path));
        lock (WriteGate)
        {
            JsonObject merged;
            if (File.Exists(full))
            {
                merged = Parse(Read(full), full);
                foreach (var list in NamedLists)
                {
                    var added = Entries(incoming, list).ToList();
                    var addedNames = added.Select(e => (string?)e["name"]).ToHashSet(StringComparer.Ordinal);
                    var kept = Entries(merged, list).Where(e => !addedNames.Contains((string?)e["name"]));
                    merged[list] = new JsonArray(kept.Concat(added).Select(e => e.DeepClone()).ToArray());
                }
                if ((string?)merged["current-context"] is not { Length: > 0 })
                    merged["current-context"] = incoming["current-context"]?.DeepClone();
            }
            else
            {
                merged = incoming;
            }
            WriteOwnerOnly(full, YamlWriter.Write(merged));
        }
    }

    private static JsonObject Parse(string text, string source)
    {
        try
        {
            if (YamlReader.ReadDocuments(text, source) is [{ Root: JsonObject root }, ..]) return root;
        }
        catch (FleetException)
        {
            // The parser's message can quote the text, which holds credentials: say only where.
        }
        throw new FleetInputException(FleetErrorIds.KubeconfigInvalid, FleetErrorCategory.InvalidData, source,
            $"The kubeconfig in {source} is not a kubeconfig document.");
    }

    private static IEnumerable<JsonObject> Entries(JsonObject root, string list) => (root[list] as JsonArray ?? []).OfType<JsonObject>();

    private static IEnumerable<string> Names(JsonObject root, string list) => Entries(root, list).Select(e => (string?)e["name"]).OfType<string>();

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FleetInputException(FleetErrorIds.KubeconfigInvalid, FleetErrorCategory.PermissionDenied, path, $"Cannot read the kubeconfig '{path}': {ex.Message}");
        }
    }

    private static void WriteOwnerOnly(string path, string text)
    {
        try
        {
            OwnerOnlyFile.Write(path, text);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FleetInputException(FleetErrorIds.OutputPathNotWritable, FleetErrorCategory.PermissionDenied, path,
                $"Cannot write the kubeconfig '{path}': {ex.Message}");
        }
    }
}
