using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Access;

/// <summary>How Dex runs on the identity cluster: its namespace, how many replicas, which image.</summary>
public sealed partial record DexInstallOptions
{
    /// <summary>Dex's release the module was checked against (the image Dex publishes on ghcr.io).</summary>
    public const string DefaultImage = "ghcr.io/dexidp/dex:v2.41.1";

    public const string DefaultNamespace = "dex";

    public string Namespace { get; init; } = DefaultNamespace;

    /// <summary>Two by default: Dex keeps its state in Kubernetes custom resources, so replicas share it.</summary>
    public int Replicas { get; init; } = 2;

    public string Image { get; init; } = DefaultImage;

    /// <summary>Checked before anything is rendered.</summary>
    public DexInstallOptions Validate()
    {
        if (!NamespaceName().IsMatch(Namespace))
            throw OidcSettings.Invalid("-Namespace", $"-Namespace '{Namespace}' is not a namespace name (lower-case letters, digits and '-', at most 63).");
        if (Replicas is < 1 or > 10)
            throw OidcSettings.Invalid("-Replicas", $"-Replicas {Replicas} is not from 1 to 10.");
        if (string.IsNullOrWhiteSpace(Image) || Image.Any(char.IsWhiteSpace))
            throw OidcSettings.Invalid("-Image", $"-Image '{Image}' is not a container image reference.");
        return this;
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\z")]
    private static partial Regex NamespaceName();
}

/// <summary>
/// The rendered install: every object to apply, and separately the Secret holding the values moved
/// out of an existing configuration (sent to the cluster by -Apply, never written to a file or shown).
/// </summary>
public sealed record DexInstall(IReadOnlyList<KubeObject> Objects, KubeObject? MovedSecret)
{
    /// <summary>What -Apply sends: the objects, and the moved values' Secret before the Deployment reads it.</summary>
    public IReadOnlyList<KubeObject> ToApply => MovedSecret is null ? Objects : [.. Objects, MovedSecret];

    /// <summary>The objects as one multi-document YAML, without the moved values.</summary>
    public string Yaml => YamlWriter.WriteAll(Objects.Select(o => (JsonNode?)o.Json));
}

/// <summary>
/// What Dex's own Kubernetes example deploys beside its configuration (dexidp/dex examples/k8s/dex.yaml):
/// the namespace, a ServiceAccount, the ClusterRole its Kubernetes storage needs (every resource of
/// <c>dex.coreos.com</c>, and creating the CustomResourceDefinitions it registers on start) with its
/// binding, a Service on port 5556 and the Deployment running <c>dex serve</c>. Unlike the example the
/// configuration is mounted from a Secret, not a ConfigMap, since it names where secrets come from.
/// </summary>
public static class DexInstallRenderer
{
    public const string Name = "dex";
    public const string ConfigSecretName = "dex-config";
    public const string MovedSecretName = "dex-moved-secrets";
    public const string ConfigKey = "config.yaml";
    private const string ConfigDirectory = "/etc/dex/cfg";
    private const int Port = 5556;

    public static DexInstall Render(string configYaml, IReadOnlyList<FleetOidcSecretReference> references, DexInstallOptions options,
        IReadOnlyDictionary<string, string>? movedValues = null)
    {
        var ns = options.Namespace;
        // Cluster-scoped, so an install in another namespace gets its own role rather than taking over this one.
        var clusterRole = ns == DexInstallOptions.DefaultNamespace ? Name : $"{Name}-{ns}";
        var labels = () => new JsonObject { ["app.kubernetes.io/name"] = Name, [KubeObject.ManagedByLabel] = KubeObject.ManagedByValue };
        var selector = () => new JsonObject { ["app.kubernetes.io/name"] = Name };

        var env = new JsonArray();
        foreach (var reference in references.Where(r => r.SecretName is not null))
        {
            env.Add(new JsonObject
            {
                ["name"] = reference.EnvironmentVariable,
                ["valueFrom"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["name"] = reference.SecretName, ["key"] = reference.SecretKey } },
            });
        }

        var container = new JsonObject
        {
            ["name"] = Name,
            ["image"] = options.Image,
            ["command"] = new JsonArray("/usr/local/bin/dex", "serve", $"{ConfigDirectory}/{ConfigKey}"),
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["containerPort"] = Port, ["protocol"] = "TCP" }),
            ["volumeMounts"] = new JsonArray(new JsonObject { ["name"] = "config", ["mountPath"] = ConfigDirectory, ["readOnly"] = true }),
            ["readinessProbe"] = new JsonObject { ["httpGet"] = new JsonObject { ["path"] = "/healthz", ["port"] = Port } },
        };
        if (env.Count > 0) container["env"] = env;

        var objects = new List<KubeObject>
        {
            Object("v1", "Namespace", ns, null, labels()),
            Object("v1", "ServiceAccount", Name, ns, labels()),
            Object("rbac.authorization.k8s.io/v1", "ClusterRole", clusterRole, null, labels(), new()
            {
                ["rules"] = new JsonArray(
                    new JsonObject { ["apiGroups"] = new JsonArray("dex.coreos.com"), ["resources"] = new JsonArray("*"), ["verbs"] = new JsonArray("*") },
                    // Dex registers its CustomResourceDefinitions itself when it starts.
                    new JsonObject
                    {
                        ["apiGroups"] = new JsonArray("apiextensions.k8s.io"), ["resources"] = new JsonArray("customresourcedefinitions"),
                        ["verbs"] = new JsonArray("create"),
                    }),
            }),
            Object("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", clusterRole, null, labels(), new()
            {
                ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = clusterRole },
                ["subjects"] = new JsonArray(new JsonObject { ["kind"] = "ServiceAccount", ["name"] = Name, ["namespace"] = ns }),
            }),
            Object("v1", "Secret", ConfigSecretName, ns, labels(), new()
            {
                ["type"] = "Opaque",
                ["data"] = new JsonObject { [ConfigKey] = Convert.ToBase64String(Encoding.UTF8.GetBytes(configYaml)) },
            }),
            Object("v1", "Service", Name, ns, labels(), new()
            {
                ["spec"] = new JsonObject
                {
                    ["type"] = "ClusterIP",
                    ["selector"] = selector(),
                    ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = Port, ["targetPort"] = Port, ["protocol"] = "TCP" }),
                },
            }),
            Object("apps/v1", "Deployment", Name, ns, labels(), new()
            {
                ["spec"] = new JsonObject
                {
                    ["replicas"] = options.Replicas,
                    ["selector"] = new JsonObject { ["matchLabels"] = selector() },
                    ["template"] = new JsonObject
                    {
                        ["metadata"] = new JsonObject { ["labels"] = labels() },
                        ["spec"] = new JsonObject
                        {
                            ["serviceAccountName"] = Name,
                            ["containers"] = new JsonArray(container),
                            ["volumes"] = new JsonArray(new JsonObject
                            {
                                ["name"] = "config",
                                ["secret"] = new JsonObject
                                {
                                    ["secretName"] = ConfigSecretName,
                                    ["items"] = new JsonArray(new JsonObject { ["key"] = ConfigKey, ["path"] = ConfigKey }),
                                },
                            }),
                        },
                    },
                },
            }),
        };

        KubeObject? moved = null;
        if (movedValues is { Count: > 0 })
        {
            var data = new JsonObject();
            foreach (var (key, value) in movedValues.OrderBy(p => p.Key, StringComparer.Ordinal))
                data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
            moved = Object("v1", "Secret", MovedSecretName, ns, labels(), new() { ["type"] = "Opaque", ["data"] = data });
        }
        return new DexInstall(objects, moved);
    }

    private static KubeObject Object(string apiVersion, string kind, string name, string? ns, JsonObject labels, JsonObject? body = null)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (ns is not null) metadata["namespace"] = ns;
        metadata["labels"] = labels;
        var json = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["metadata"] = metadata };
        foreach (var (key, value) in body ?? new JsonObject())
            json[key] = value?.DeepClone();
        return new KubeObject(json);
    }
}
