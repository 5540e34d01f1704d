using System.Collections;
using System.Management.Automation;
using System.Security;
using System.Text;
using MultiCluster.Engine.Configuration;
using MultiCluster.Engine.Errors;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Configuration;

/// <summary>
/// The source parameters Sync-FleetSecret and Test-FleetSecret share: values (-Value, also a
/// PSCredential or a hashtable of SecureStrings from the pipeline, as vault modules' Get-Secret
/// returns them; -Credential; -Data), a manifest (-Path), or objects on a source cluster
/// (-SourceCluster, -SourceNamespace, -Name or -SourceSelector). Values stay SecureStrings until
/// the engine reads them to hash them or build a request.
/// </summary>
public abstract class SecretSourceCmdlet : FanOutCmdlet
{
    private readonly List<object> _piped = new();

    /// <summary>The Secret's (or ConfigMap's) name; with -SourceCluster, the names to copy.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary>The namespace of the copies; by default the source's (-SourceNamespace or the manifest's), else each cluster's context namespace.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Namespace { get; set; }

    /// <summary>Secret (default) or ConfigMap.</summary>
    [Parameter]
    [ValidateSet("Secret", "ConfigMap")]
    public string Kind { get; set; } = "Secret";

    /// <summary>
    /// The value, as a SecureString, stored under -Key; from the pipeline also a PSCredential or a
    /// hashtable of SecureStrings. Plain text is refused.
    /// </summary>
    [Parameter(ValueFromPipeline = true)]
    public object? Value { get; set; }

    /// <summary>The key -Value is stored under.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Key { get; set; } = "value";

    /// <summary>A credential, stored as a kubernetes.io/basic-auth Secret with the keys username and password.</summary>
    [Parameter]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    /// <summary>Keys and their values, each a SecureString.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Data { get; set; }

    /// <summary>Manifest files holding Secrets (data, stringData) or ConfigMaps (data, binaryData).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>The cluster to copy from.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string? SourceCluster { get; set; }

    /// <summary>The namespace to copy from (default: the source cluster's context namespace).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SourceNamespace { get; set; }

    /// <summary>A label selector over the source namespace's objects: each one it matches is copied.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SourceSelector { get; set; }

    private bool _valueAsArgument;

    // Only arguments are bound this early: a -Value given on the command line is not pipeline input.
    protected override void BeginProcessing() => _valueAsArgument = MyInvocation.BoundParameters.ContainsKey(nameof(Value));

    protected override void ProcessRecord()
    {
        CollectClusters();
        // A piped cluster selects a cluster (through -Cluster by property name); it is no value.
        if (!_valueAsArgument && Value is not null && (Value is PSObject wrapped ? wrapped.BaseObject : Value) is not FleetCluster) _piped.Add(Value);
    }

    /// <summary>Reads and checks the source; terminates on bad input, before any change.</summary>
    protected SecretSyncSource ReadSource()
    {
        SecretSourceRequest request;
        try
        {
            request = BuildRequest();
        }
        catch (Exception ex)
        {
            // PowerShell keeps the bound arguments in the error's InvocationInfo: plain text refused must not travel with it.
            if (ex is FleetException { ErrorId: ConfigurationErrorIds.SecretValueNotSecure })
            {
                MyInvocation.BoundParameters.Remove(nameof(Value));
                MyInvocation.BoundParameters.Remove(nameof(Data));
                Value = null;
                Data = null;
                _piped.Clear();
            }
            Terminate(ex);
            throw; // not reached
        }
        SecretSyncSource? source = null;
        // The session belongs to this runspace, which the engine's thread-pool work does not run in.
        var connector = RunspaceSessions.Current.Connector;
        RunEngine(async cancel => source = await SecretSources.ResolveAsync(request, connector, cancel).ConfigureAwait(false));
        return source!;
    }

    private SecretSourceRequest BuildRequest()
    {
        var given = new List<string>();
        var values = new List<SecretValue>();
        var type = "Opaque";
        var value = _valueAsArgument && Value is not null ? [Value] : _piped;
        if (value.Count > 1)
        {
            throw new FleetInputException(ConfigurationErrorIds.SecretSourceConflict, FleetErrorCategory.InvalidArgument, "-Value",
                $"{value.Count} values came down the pipeline; one {Kind} is made from one value.",
                recommendedAction: "Pipe one value, or put several keys in a hashtable of SecureStrings (-Data).");
        }
        if (value.Count == 1)
        {
            switch (value[0] is PSObject wrapped ? wrapped.BaseObject : value[0])
            {
                case SecureString secure:
                    given.Add("-Value");
                    values.Add(FromSecureString(Key, secure));
                    break;
                case PSCredential credential:
                    given.Add("-Value");
                    values.AddRange(FromCredential(credential));
                    type = "kubernetes.io/basic-auth";
                    break;
                case IDictionary dictionary:
                    given.Add("-Value");
                    values.AddRange(FromDictionary("-Value", dictionary));
                    break;
                case var other:
                    throw SecretValue.NotSecure("-Value", Key, other?.GetType().Name ?? "null");
            }
        }
        if (Credential is not null)
        {
            given.Add("-Credential");
            values.AddRange(FromCredential(Credential));
            type = "kubernetes.io/basic-auth";
        }
        if (Data is not null)
        {
            given.Add("-Data");
            values.AddRange(FromDictionary("-Data", Data));
        }
        if (Path is not null) given.Add("-Path");
        if (SourceCluster is not null) given.Add("-SourceCluster");
        if (SourceCluster is null && (SourceNamespace is not null || SourceSelector is not null))
        {
            throw new FleetInputException(ConfigurationErrorIds.SecretSourceConflict, FleetErrorCategory.InvalidArgument,
                SourceNamespace is not null ? "-SourceNamespace" : "-SourceSelector",
                $"{(SourceNamespace is not null ? "-SourceNamespace" : "-SourceSelector")} needs -SourceCluster, the cluster to copy from.");
        }

        FleetCluster? sourceCluster = null;
        if (SourceCluster is not null)
        {
            var selected = RunspaceSessions.Current.Select(new Engine.Inventory.ClusterPlacement { Names = [SourceCluster] });
            if (selected.NotFound.Count > 0) throw selected.NotFound[0];
            if (selected.Clusters.Count != 1)
            {
                throw new FleetInputException(ConfigurationErrorIds.SecretSourceConflict, FleetErrorCategory.InvalidArgument, "-SourceCluster",
                    $"-SourceCluster '{SourceCluster}' names {selected.Clusters.Count} clusters; the source is one cluster.");
            }
            sourceCluster = selected.Clusters[0];
        }
        return new SecretSourceRequest
        {
            Kind = Kind,
            Names = Name,
            Namespace = Namespace,
            GivenSources = given,
            Values = values,
            SecretType = type,
            Paths = Path is null ? [] : Path.Select(p => SessionState.Path.GetUnresolvedProviderPathFromPSPath(p)).ToList(),
            SourceCluster = sourceCluster,
            SourceNamespace = SourceNamespace,
            SourceSelector = SourceSelector,
        };
    }

    private static SecretValue FromSecureString(string key, SecureString secure) =>
        new(key, () => SecureStringBytes.Read(secure), secure.Length == 0);

    private static IEnumerable<SecretValue> FromCredential(PSCredential credential) =>
    [
        // The user name is no secret, but it travels as the Secret's data like the password does.
        new SecretValue("username", () => Encoding.UTF8.GetBytes(credential.UserName), string.IsNullOrEmpty(credential.UserName)),
        FromSecureString("password", credential.Password),
    ];

    private static IEnumerable<SecretValue> FromDictionary(string parameter, IDictionary dictionary)
    {
        var values = new List<SecretValue>();
        foreach (DictionaryEntry entry in dictionary)
        {
            var key = entry.Key is PSObject k ? k.BaseObject.ToString() ?? "" : entry.Key?.ToString() ?? "";
            var item = entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value;
            values.Add(item is SecureString secure ? FromSecureString(key, secure) : throw SecretValue.NotSecure(parameter, key, item?.GetType().Name ?? "null"));
        }
        return values;
    }
}
