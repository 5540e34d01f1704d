using System.Collections.Concurrent;
using k8s;
using k8s.KubeConfigModels;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Reporting;

namespace MultiCluster.Engine.Connections;

/// <summary>Settings of every client a connector builds.</summary>
public sealed class ConnectorOptions
{
    public FleetRetryOptions Retry { get; init; } = FleetRetryOptions.Default;

    /// <summary>How long an exec credential plugin may run.</summary>
    public TimeSpan ExecTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest single API call (KubernetesClient's per-request timeout).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);
}

/// <summary>
/// Builds one cached KubernetesClient per (kubeconfig, context) from a <see cref="KubeconfigSource"/>:
/// kubectl's merge, the context's namespace, TLS with the kubeconfig's CA, exec plugins and
/// in-process EKS tokens, and the logging and retry handlers on every client.
/// </summary>
public sealed class KubernetesConnector : IClusterConnector, IDisposable
{
    private readonly ConnectorOptions _options;
    private readonly Lazy<LoadedKubeconfig> _kubeconfig;
    private readonly ConcurrentDictionary<string, LoadedKubeconfig> _clusterKubeconfigs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<ClusterConnection>> _connections = new(StringComparer.Ordinal);

    public KubernetesConnector(KubeconfigSource source, ConnectorOptions? options = null)
    {
        Source = source;
        _options = options ?? new ConnectorOptions();
        // PublicationOnly: a kubeconfig that failed to load is read again on the next call, not cached broken.
        _kubeconfig = new Lazy<LoadedKubeconfig>(() => KubeconfigLoader.Load(source), LazyThreadSafetyMode.PublicationOnly);
    }

    /// <summary>A connector for a kubeconfig already read, which it does not read again.</summary>
    public KubernetesConnector(LoadedKubeconfig kubeconfig, ConnectorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(kubeconfig);
        Source = kubeconfig.Source;
        _options = options ?? new ConnectorOptions();
        _kubeconfig = new Lazy<LoadedKubeconfig>(kubeconfig);
    }

    public KubeconfigSource Source { get; }

    /// <summary>The merged kubeconfig of <see cref="Source"/> (loaded once, on first use).</summary>
    public LoadedKubeconfig Kubeconfig => _kubeconfig.Value;

    public ClusterConnection Connect(FleetCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var context = string.IsNullOrEmpty(cluster.Context) ? cluster.Name : cluster.Context;
        var key = $"{cluster.Kubeconfig}\n{context}\n{cluster.Name}";
        var lazy = _connections.GetOrAdd(key, _ => new Lazy<ClusterConnection>(() => Build(cluster, context)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // Do not cache a failure: the next call (after the user fixed the kubeconfig) tries again.
            _connections.TryRemove(new KeyValuePair<string, Lazy<ClusterConnection>>(key, lazy));
            throw;
        }
    }

    /// <summary>Drops every cached client, so that the next call reads the kubeconfig again.</summary>
    public void Dispose()
    {
        foreach (var lazy in _connections.Values)
            if (lazy.IsValueCreated && lazy.Value.Client is IDisposable disposable) disposable.Dispose();
        _connections.Clear();
    }

    private LoadedKubeconfig KubeconfigFor(FleetCluster cluster) =>
        cluster.Kubeconfig is { Length: > 0 } path
            ? _clusterKubeconfigs.GetOrAdd(Path.GetFullPath(path), p => KubeconfigLoader.Load(KubeconfigSource.FromPaths(p)))
            : Kubeconfig;

    private ClusterConnection Build(FleetCluster cluster, string contextName)
    {
        var kubeconfig = KubeconfigFor(cluster);
        var context = kubeconfig.FindContext(contextName) ?? throw ContextNotFound(cluster, contextName, kubeconfig);
        var details = context.ContextDetails ?? throw Invalid(cluster, $"the context '{contextName}' has no cluster or user");
        var endpoint = kubeconfig.Configuration.Clusters?.FirstOrDefault(c => c.Name == details.Cluster)?.ClusterEndpoint
            ?? throw Invalid(cluster, $"the context '{contextName}' names the cluster entry '{details.Cluster}', which the kubeconfig does not have");
        var user = string.IsNullOrEmpty(details.User) ? null : kubeconfig.Configuration.Users?.FirstOrDefault(u => u.Name == details.User)
            ?? throw Invalid(cluster, $"the context '{contextName}' names the user '{details.User}', which the kubeconfig does not have");

        var credentialSource = CredentialSourceFor(cluster.Name, user?.UserCredentials?.ExternalExecution);
        var configuration = BuildClientConfiguration(cluster, contextName, context, endpoint, user, credentialSource);

        if (endpoint.SkipTlsVerify)
            FleetCallContext.Reporter.Warning(
                $"Cluster '{cluster.Name}': TLS verification is off (insecure-skip-tls-verify in the kubeconfig); the API server's identity is not checked.");

        Kubernetes client;
        try
        {
            var handlers = new List<DelegatingHandler> { new RetryHandler(cluster.Name, _options.Retry) };
            if (credentialSource is not null) handlers.Add(new CredentialRefreshHandler(credentialSource));
            handlers.Add(new ApiCallLogHandler(cluster.Name));
            client = new Kubernetes(configuration, handlers.ToArray());
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or System.Security.Cryptography.CryptographicException or FormatException or IOException)
        {
            throw Invalid(cluster, e is k8s.Exceptions.KubeConfigException ? e.Message : "its client certificate or key cannot be read", e);
        }

        return new ClusterConnection
        {
            Cluster = cluster,
            Client = client,
            DefaultNamespace = string.IsNullOrEmpty(configuration.Namespace) ? "default" : configuration.Namespace,
            Server = client.BaseUri,
        };
    }

    private KubernetesClientConfiguration BuildClientConfiguration(FleetCluster cluster, string contextName, Context context,
        ClusterEndpoint endpoint, User? user, ICredentialSource? credentialSource)
    {
        // The library would run an exec plugin itself while building; give it the user without the
        // exec section and plug our own token provider in afterwards.
        var single = new K8SConfiguration
        {
            ApiVersion = "v1",
            Kind = "Config",
            CurrentContext = contextName,
            Contexts = new[] { context },
            Clusters = new[] { new Cluster { Name = context.ContextDetails.Cluster, ClusterEndpoint = endpoint } },
            Users = user is null ? Array.Empty<User>() : new[] { credentialSource is null ? user : WithoutExec(user) },
        };

        KubernetesClientConfiguration configuration;
        try
        {
            configuration = KubernetesClientConfiguration.BuildConfigFromConfigObject(single, contextName);
        }
        catch (k8s.Exceptions.KubeConfigException e)
        {
            throw Invalid(cluster, e.Message, e);
        }
        catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException or IOException)
        {
            throw Invalid(cluster, "its certificate authority cannot be read", e);
        }

        configuration.HttpClientTimeout = _options.RequestTimeout;
        if (string.IsNullOrEmpty(configuration.Namespace))
            configuration.Namespace = context.ContextDetails.Namespace;

        if (credentialSource is not null)
        {
            configuration.AccessToken = null;
            configuration.TokenProvider = new CredentialTokenProvider(credentialSource);
            if (credentialSource is ExecCredentialPlugin plugin)
            {
                // Run the plugin now: a client certificate must be known before the client exists,
                // and a broken plugin should fail the connection, not the first call.
                var credential = plugin.GetAsync(FleetCallContext.Cancellation).GetAwaiter().GetResult();
                if (credential.ClientCertificateData is { } certificate && credential.ClientKeyData is { } key)
                {
                    // The library expects base64 of the PEM text, as kubeconfig files carry it.
                    configuration.ClientCertificateData = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(certificate));
                    configuration.ClientCertificateKeyData = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(key));
                }
                if (credential.Token is null) configuration.TokenProvider = null;
            }
        }
        return configuration;
    }

    private ICredentialSource? CredentialSourceFor(string cluster, ExternalExecution? exec)
    {
        if (exec is null) return null;
        if (EksTokenRequest.TryParse(exec) is { } eks) return new EksTokenSource(cluster, eks);
        return new ExecCredentialPlugin(cluster, exec, _options.ExecTimeout);
    }

    private static User WithoutExec(User user)
    {
        var credentials = user.UserCredentials;
        return new User
        {
            Name = user.Name,
            UserCredentials = new UserCredentials
            {
                ClientCertificateData = credentials.ClientCertificateData,
                ClientKeyData = credentials.ClientKeyData,
                ClientCertificate = credentials.ClientCertificate,
                ClientKey = credentials.ClientKey,
                Impersonate = credentials.Impersonate,
                ImpersonateGroups = credentials.ImpersonateGroups,
                ImpersonateUserExtra = credentials.ImpersonateUserExtra,
                // Stands in for the plugin's token so the library accepts the user; replaced by our provider.
                Token = "exec-plugin",
            },
        };
    }

    private static FleetClusterException ContextNotFound(FleetCluster cluster, string context, LoadedKubeconfig kubeconfig)
    {
        var searched = kubeconfig.Source.IsContent
            ? KubeconfigSource.ContentName
            : kubeconfig.Source.Files.Count == 0 ? "no kubeconfig file" : string.Join(", ", kubeconfig.Source.Files);
        return new FleetClusterException(FleetErrorIds.ClusterContextNotFound, FleetErrorCategory.ObjectNotFound, cluster.Name,
            $"The kubeconfig has no context '{context}' for cluster '{cluster.Name}' (searched: {searched}).{NameSuggestions.DidYouMean(context, kubeconfig.ContextNames)}",
            recommendedAction: "List the contexts with 'kubectl config get-contexts', set the cluster's context in the fleet file, or point KUBECONFIG at the file that has it.");
    }

    private static FleetClusterException Invalid(FleetCluster cluster, string what, Exception? inner = null) =>
        new(FleetErrorIds.KubeconfigInvalid, FleetErrorCategory.InvalidData, cluster.Name,
            $"The kubeconfig entry of cluster '{cluster.Name}' cannot be used: {what.TrimEnd('.')}.", inner);
}
