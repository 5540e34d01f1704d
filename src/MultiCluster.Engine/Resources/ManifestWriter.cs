using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Resources;

/// <summary>
/// Renders generated objects instead of applying them (-OutputPath): one multi-document YAML
/// file per cluster, <c>DIR/CLUSTER.yaml</c> (mode 0600 when it holds a Secret), and one
/// <see cref="FleetManifest"/> per object.
/// </summary>
public static class ManifestWriter
{
    /// <summary>The manifests of <paramref name="objects"/> for <paramref name="cluster"/>; written to a file when <paramref name="outputDirectory"/> is given.</summary>
    public static IReadOnlyList<FleetManifest> Render(string cluster, IReadOnlyList<KubeObject> objects, string? outputDirectory = null)
    {
        string? path = null;
        if (outputDirectory is not null)
        {
            path = Path.GetFullPath(Path.Combine(outputDirectory, SafeFileName(cluster) + ".yaml"));
            try
            {
                Directory.CreateDirectory(outputDirectory);
                var yaml = YamlWriter.WriteAll(objects.Select(o => o.Json));
                // A Secret's data is a credential: its file is the owner's alone, as a kubeconfig is.
                if (objects.Any(IsSecret)) OwnerOnlyFile.Write(path, yaml);
                else File.WriteAllText(path, yaml);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new FleetInputException(FleetErrorIds.OutputPathNotWritable, FleetErrorCategory.PermissionDenied, outputDirectory,
                    $"Cannot write the manifests of cluster '{cluster}' to {path}: {ex.Message}", ex);
            }
        }
        return objects.Select(o => new FleetManifest
        {
            Cluster = cluster,
            Kind = o.Kind,
            Name = o.Name,
            Namespace = o.Namespace,
            Path = path,
            Yaml = o.ToYaml(),
        }).ToList();
    }

    private static bool IsSecret(KubeObject obj) => obj.Kind == "Secret" && obj.ApiVersion == "v1";

    // Cluster names may be ARNs (arn:aws:eks:...:cluster/name); keep file names portable.
    internal static string SafeFileName(string cluster)
    {
        var invalid = Path.GetInvalidFileNameChars().Concat([':', '/', '\\']).ToHashSet();
        return new string(cluster.Select(c => invalid.Contains(c) ? '_' : c).ToArray());
    }
}
