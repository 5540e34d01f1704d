using k8s;
using k8s.KubeConfigModels;
using MultiCluster.Engine.Errors;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace MultiCluster.Engine.Connections;

/// <summary>A kubeconfig merged from its source, with the files actually read.</summary>
public sealed class LoadedKubeconfig
{
    internal LoadedKubeconfig(K8SConfiguration configuration, KubeconfigSource source, IReadOnlyList<string> filesRead)
    {
        Configuration = configuration;
        Source = source;
        FilesRead = filesRead;
    }

    internal K8SConfiguration Configuration { get; }
    public KubeconfigSource Source { get; }
    public IReadOnlyList<string> FilesRead { get; }

    public string? CurrentContext => string.IsNullOrEmpty(Configuration.CurrentContext) ? null : Configuration.CurrentContext;

    public IReadOnlyList<string> ContextNames => (Configuration.Contexts ?? Enumerable.Empty<Context>()).Select(c => c.Name).ToList();

    internal Context? FindContext(string name) =>
        Configuration.Contexts?.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));
}

/// <summary>Loads kubeconfig files and merges them with kubectl's rules.</summary>
public static class KubeconfigLoader
{
    /// <summary>
    /// Loads <paramref name="source"/>. Files that do not exist are skipped when they come from
    /// <c>$KUBECONFIG</c> (as kubectl does) and are an error when named explicitly.
    /// </summary>
    public static LoadedKubeconfig Load(KubeconfigSource source)
    {
        var loaded = LoadFilesOrContent(source);
        if (source.InMemory.Count == 0) return loaded;
        var inMemory = source.InMemory.Select(text => Parse(() => Read(new StringReader(text)), "(imported in memory)"));
        return new LoadedKubeconfig(Merge(inMemory.Append(loaded.Configuration)), source, loaded.FilesRead);
    }

    private static LoadedKubeconfig LoadFilesOrContent(KubeconfigSource source)
    {
        if (source.Content is { } content)
        {
            var fromContent = Parse(() => Read(new StringReader(content)), KubeconfigSource.ContentName);
            ResolveRelativePaths(fromContent, source.BaseDirectory ?? Directory.GetCurrentDirectory());
            return new LoadedKubeconfig(fromContent, source, Array.Empty<string>());
        }

        var configurations = new List<K8SConfiguration>();
        var read = new List<string>();
        foreach (var file in source.Files)
        {
            if (!File.Exists(file))
            {
                if (source.IsFromEnvironment) continue;
                throw new FleetInputException(FleetErrorIds.KubeconfigInvalid, FleetErrorCategory.ObjectNotFound, file,
                    $"The kubeconfig file '{file}' does not exist.");
            }
            var configuration = Parse(() =>
            {
                using var reader = File.OpenText(file);
                return Read(reader);
            }, file);
            ResolveRelativePaths(configuration, Path.GetDirectoryName(file)!);
            configurations.Add(configuration);
            read.Add(file);
        }
        return new LoadedKubeconfig(Merge(configurations), source, read);
    }

    /// <summary>
    /// kubectl's merge: the first file to define a cluster, context or user name wins; the
    /// current-context comes from the first file that sets one.
    /// </summary>
    public static K8SConfiguration Merge(IEnumerable<K8SConfiguration> configurations)
    {
        var clusters = new Dictionary<string, Cluster>(StringComparer.Ordinal);
        var contexts = new Dictionary<string, Context>(StringComparer.Ordinal);
        var users = new Dictionary<string, User>(StringComparer.Ordinal);
        string? currentContext = null;
        foreach (var configuration in configurations)
        {
            if (string.IsNullOrEmpty(currentContext) && !string.IsNullOrEmpty(configuration.CurrentContext))
                currentContext = configuration.CurrentContext;
            foreach (var cluster in configuration.Clusters ?? Enumerable.Empty<Cluster>())
                if (cluster.Name is not null) clusters.TryAdd(cluster.Name, cluster);
            foreach (var context in configuration.Contexts ?? Enumerable.Empty<Context>())
                if (context.Name is not null) contexts.TryAdd(context.Name, context);
            foreach (var user in configuration.Users ?? Enumerable.Empty<User>())
                if (user.Name is not null) users.TryAdd(user.Name, user);
        }
        return new K8SConfiguration
        {
            ApiVersion = "v1",
            Kind = "Config",
            CurrentContext = currentContext,
            Clusters = clusters.Values.ToList(),
            Contexts = contexts.Values.ToList(),
            Users = users.Values.ToList(),
        };
    }

    // KubernetesClient's own loader goes through KubernetesYaml, whose first use maps the JSON names of
    // every API model type for YAML: about 30 MB of reflection data and compiled code in a pwsh
    // session. A kubeconfig needs only its own model types, whose YamlMember names YamlDotNet reads
    // as they are. Same settings as that loader otherwise (unknown keys ignored, merge keys).
    private static readonly IDeserializer KubeconfigDeserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .WithAttemptingUnquotedStringTypeDeserialization()
        .IgnoreUnmatchedProperties()
        .Build();

    /// <summary>One kubeconfig document; an empty one is an empty kubeconfig, as kubectl reads it.</summary>
    private static K8SConfiguration Read(TextReader reader) =>
        KubeconfigDeserializer.Deserialize<K8SConfiguration?>(new MergingParser(new Parser(reader))) ?? new K8SConfiguration();

    private static K8SConfiguration Parse(Func<K8SConfiguration> load, string where)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is YamlException or k8s.Exceptions.KubeConfigException or FormatException or InvalidOperationException)
        {
            // The parser's own message can quote the offending text, which may be a credential: say only where.
            var position = e is YamlException y ? $" at line {y.Start.Line}, column {y.Start.Column}" : "";
            throw new FleetInputException(FleetErrorIds.KubeconfigInvalid, FleetErrorCategory.InvalidData, where,
                $"The kubeconfig '{where}' is not valid YAML of a kubeconfig{position}.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FleetInputException(FleetErrorIds.KubeconfigInvalid, FleetErrorCategory.InvalidData, where,
                $"Cannot read the kubeconfig '{where}': {e.Message}");
        }
    }

    // Paths inside a kubeconfig are relative to the file that holds them; resolve them before the
    // merge loses track of which file that was.
    private static void ResolveRelativePaths(K8SConfiguration configuration, string directory)
    {
        foreach (var cluster in configuration.Clusters ?? Enumerable.Empty<Cluster>())
        {
            if (cluster.ClusterEndpoint is { CertificateAuthority: { Length: > 0 } ca } endpoint)
                endpoint.CertificateAuthority = Absolute(ca, directory);
        }
        foreach (var user in configuration.Users ?? Enumerable.Empty<User>())
        {
            if (user.UserCredentials is not { } credentials) continue;
            if (!string.IsNullOrEmpty(credentials.ClientCertificate)) credentials.ClientCertificate = Absolute(credentials.ClientCertificate, directory);
            if (!string.IsNullOrEmpty(credentials.ClientKey)) credentials.ClientKey = Absolute(credentials.ClientKey, directory);
            // kubectl resolves an exec command against the kubeconfig's folder only when it names a relative path.
            if (credentials.ExternalExecution is { Command: { Length: > 0 } command } exec && !Path.IsPathRooted(command)
                && (command.Contains('/') || command.Contains(Path.DirectorySeparatorChar)))
                exec.Command = Path.GetFullPath(command, directory);
        }
    }

    private static string Absolute(string path, string directory) => Path.GetFullPath(KubeconfigSource.ExpandHome(path), directory);
}
