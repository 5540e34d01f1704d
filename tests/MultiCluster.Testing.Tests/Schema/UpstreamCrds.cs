using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MultiCluster.Testing.Tests.Schema;

/// <summary>The upstream CRDs and example manifests of ../shared/crds, loaded once.</summary>
internal static partial class UpstreamCrds
{
    private static readonly string[] NonCrdFolders = ["examples", "kubernetes-openapi-v3", Path.Combine("karmada", "openapi-spec")];

    private static readonly Lazy<IReadOnlyList<(string File, JsonObject Crd)>> AllCrds = new(LoadCrds);
    private static readonly Lazy<IReadOnlyList<JsonObject>> AllExamples = new(LoadExamples);

    /// <summary>Every CRD with the file it came from, relative to shared/crds.</summary>
    public static IReadOnlyList<(string File, JsonObject Crd)> Crds => AllCrds.Value;

    /// <summary>Every example document, with clusterctl <c>${VAR}</c> placeholders substituted.</summary>
    public static IReadOnlyList<JsonObject> Examples => AllExamples.Value;

    public static JsonObject Crd(string file) => Crds.Single(c => c.File == file).Crd;

    public static JsonObject SchemaOf(JsonObject crd, string version) =>
        crd["spec"]!["versions"]!.AsArray().Single(v => v!["name"]!.GetValue<string>() == version)!["schema"]!["openAPIV3Schema"]!.AsObject();

    private static IReadOnlyList<(string, JsonObject)> LoadCrds()
    {
        var root = SharedFiles.Crds;
        if (root is null) return [];
        return Directory.EnumerateFiles(root, "*.yaml", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path))
            .Where(file => file.Contains(Path.DirectorySeparatorChar) && !NonCrdFolders.Any(f => file.StartsWith(f + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .SelectMany(file => YamlJson.LoadFile(Path.Combine(root, file))
                .Where(d => d["kind"]?.GetValue<string>() == "CustomResourceDefinition")
                .Select(crd => (file.Replace(Path.DirectorySeparatorChar, '/'), crd)))
            .ToList();
    }

    private static IReadOnlyList<JsonObject> LoadExamples()
    {
        var root = SharedFiles.Crds;
        if (root is null) return [];
        return Directory.EnumerateFiles(Path.Combine(root, "examples"), "*.yaml", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .SelectMany(path => YamlJson.LoadAll(Substitute(File.ReadAllText(path))))
            .ToList();
    }

    /// <summary>clusterctl's substitution: <c>${VAR:=default}</c>/<c>${VAR:-default}</c> take the default, others a plausible value.</summary>
    private static string Substitute(string yaml) => Placeholder().Replace(yaml, match =>
        match.Groups["default"].Success ? match.Groups["default"].Value
        : match.Groups["name"].Value switch
        {
            var n when n.EndsWith("COUNT", StringComparison.Ordinal) => "1",
            var n when n.EndsWith("VERSION", StringComparison.Ordinal) => "v1.32.0",
            "AWS_REGION" => "us-east-1",
            "NAMESPACE" => "default",
            _ => "example",
        });

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(:[=-](?<default>[^}]*))?\}")]
    private static partial Regex Placeholder();
}
