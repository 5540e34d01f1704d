using k8s;
using MultiCluster.Engine.ClusterApi;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Access;

/// <summary>Dex's configuration as the cmdlet shows it, and the objects -Apply sends to the identity cluster.</summary>
public sealed record DexRendering(FleetDexConfig Config, DexInstall Install);

/// <summary>
/// Renders identity federation for New-FleetOidcConfig: the Dex configuration once, and each
/// cluster's API server settings for its Kubernetes version. The version is the one given, else
/// the fleet file's (<c>k8s_version</c>), else what the cluster's <c>/version</c> reports, the
/// only request this makes. Writes files when given a folder; changes no cluster.
/// </summary>
public sealed class OidcConfigService(IClusterConnector connector)
{
    public const string DexFileName = "dex-config.yaml";
    public const string InstallFileName = "dex-install.yaml";

    /// <summary>
    /// The Dex configuration and what runs it, written to <c>dex-config.yaml</c> and <c>dex-install.yaml</c>
    /// in <paramref name="outputDirectory"/> when given.
    /// </summary>
    public static DexRendering RenderDex(OidcSettings settings, DexConnector dexConnector, IReadOnlyList<FleetCluster> clusters,
        IReadOnlyList<string> redirectUriTemplates, string? fleetName, DexInstallOptions install, string? outputDirectory)
    {
        var dex = DexConfigRenderer.Render(settings, dexConnector, clusters, redirectUriTemplates, fleetName);
        return Finish(dex, DexInstallRenderer.Render(dex.Yaml, dex.SecretReferences, install), outputDirectory);
    }

    /// <summary>
    /// An existing Dex configuration with its inline secrets moved into the Secret dex-moved-secrets
    /// (sent only by -Apply, never written) and environment references, and what runs it.
    /// </summary>
    public static DexRendering RenderExistingDex(OidcSettings settings, DexExistingConfig existing, DexInstallOptions install, string? outputDirectory)
    {
        var yaml = existing.Yaml;
        var dex = new FleetDexConfig
        {
            Issuer = settings.IssuerUrl,
            ClientId = settings.ClientId,
            Connector = existing.Connectors,
            RedirectUris = existing.RedirectUris(settings.ClientId),
            SecretReferences = existing.Moved,
            MovedSecrets = existing.Moved,
            Yaml = yaml,
        };
        return Finish(dex, DexInstallRenderer.Render(yaml, existing.Moved, install, existing.Values), outputDirectory);
    }

    /// <summary>
    /// Where -Apply installs Dex: the cluster named (or aliased) <paramref name="name"/>, else the fleet's
    /// management cluster, where the reference architecture runs its identity tools.
    /// </summary>
    public static FleetCluster IdentityCluster(IReadOnlyList<FleetCluster> fleet, string? name)
    {
        if (name is null) return ManagementClusters.Resolve(fleet, null, "Dex");
        return fleet.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? fleet.FirstOrDefault(c => c.Aliases.Contains(name, StringComparer.OrdinalIgnoreCase))
            ?? throw new FleetInputException(FleetErrorIds.ClusterNotFound, FleetErrorCategory.ObjectNotFound, name,
                $"-IdentityCluster '{name}' is not a cluster of the fleet.{NameSuggestions.DidYouMean(name, fleet.Select(c => c.Name))}",
                recommendedAction: "Run Get-FleetCluster to see the clusters of the fleet.");
    }

    private static DexRendering Finish(FleetDexConfig dex, DexInstall install, string? outputDirectory)
    {
        dex = dex with { Namespace = install.Objects.First(o => o.Kind == "Deployment").Namespace, InstallYaml = install.Yaml };
        if (outputDirectory is not null)
        {
            dex = dex with
            {
                Path = WriteFile(outputDirectory, DexFileName, dex.Yaml, "the Dex configuration"),
                InstallPath = WriteFile(outputDirectory, InstallFileName, install.Yaml, "the Dex install manifests"),
            };
        }
        return new DexRendering(dex, install);
    }

    /// <summary>Per cluster, its API server settings; a cluster whose version cannot be read gives its error and the others go on.</summary>
    public IAsyncEnumerable<FleetOutcome<FleetOidcApiServerConfig>> RenderApiServersAsync(IReadOnlyList<FleetCluster> clusters, OidcSettings settings,
        string? kubernetesVersion, string? outputDirectory, FanOutOptions options, CancellationToken cancellationToken = default)
    {
        if (kubernetesVersion is not null && OidcApiServerRenderer.Minor(kubernetesVersion) is null)
            throw OidcSettings.Invalid("-KubernetesVersion", $"-KubernetesVersion '{kubernetesVersion}' is not a Kubernetes version such as v1.32.3.");
        return FleetRunner.RunAsync<FleetOutcome<FleetOidcApiServerConfig>>(
            clusters,
            options with { Activity = "Rendering OIDC API server settings" },
            async (cluster, sink, token) =>
            {
                var version = kubernetesVersion ?? cluster.KubernetesVersion ?? await ServerVersionAsync(cluster, token).ConfigureAwait(false);
                var config = OidcApiServerRenderer.Describe(cluster.Name, settings, version);
                sink.Emit(FleetOutcome<FleetOidcApiServerConfig>.Success(cluster.Name, outputDirectory is null ? config : Write(config, outputDirectory)));
            },
            (cluster, error, _) => [FleetOutcome<FleetOidcApiServerConfig>.Failure(cluster.Name, error)],
            cancellationToken);
    }

    private async Task<string> ServerVersionAsync(FleetCluster cluster, CancellationToken token)
    {
        try
        {
            var connection = await Task.Run(() => connector.Connect(cluster), token).ConfigureAwait(false);
            return (await connection.Client.Version.GetCodeAsync(token).ConfigureAwait(false)).GitVersion;
        }
        catch (Exception ex) when (ex is not FleetException && !token.IsCancellationRequested)
        {
            throw KubernetesErrors.Translate(ex, cluster.Name, "/version", token);
        }
    }

    private static FleetOidcApiServerConfig Write(FleetOidcApiServerConfig config, string directory)
    {
        var flags = YamlWriter.Write(new System.Text.Json.Nodes.JsonObject(
            config.Flags.Select(f => new KeyValuePair<string, System.Text.Json.Nodes.JsonNode?>(f.Key, f.Value))));
        var baseName = ManifestWriter.SafeFileName(config.Cluster);
        return config with
        {
            FlagsPath = WriteFile(directory, baseName + ".oidc-flags.yaml", flags, $"the OIDC flags of cluster '{config.Cluster}'"),
            AuthenticationConfigurationPath = config.AuthenticationConfiguration is { } document
                ? WriteFile(directory, baseName + ".authentication-config.yaml", document, $"the AuthenticationConfiguration of cluster '{config.Cluster}'")
                : null,
        };
    }

    private static string WriteFile(string directory, string fileName, string content, string what)
    {
        var path = Path.GetFullPath(Path.Combine(directory, fileName));
        try
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(path, content);
            return path;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FleetInputException(FleetErrorIds.OutputPathNotWritable, FleetErrorCategory.PermissionDenied, directory,
                $"Cannot write {what} to {path}: {ex.Message}", ex);
        }
    }
}
