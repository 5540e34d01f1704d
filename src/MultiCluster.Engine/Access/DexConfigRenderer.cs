using System.Collections;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Access;

/// <summary>
/// One upstream identity provider for Dex, read from a hashtable: <c>Type = 'ldap'</c> (Host,
/// BindDN, the bind password's reference, UserBaseDN and the optional search settings) or
/// <c>Type = 'oidc'</c> (Issuer, ClientId, the client secret's reference). A secret is given
/// as <c>...Secret = 'secret-name/key'</c> (a Kubernetes Secret in Dex's namespace) or
/// <c>...Env = 'VARIABLE'</c>; a secret value itself is refused, so none can reach the output.
/// </summary>
public sealed partial class DexConnector
{
    private static readonly string[] LdapKeys =
    [
        "Type", "Id", "Name", "Host", "BindDN", "BindPasswordSecret", "BindPasswordEnv", "RootCA", "StartTLS",
        "UserBaseDN", "UserFilter", "UsernameAttribute", "IdAttribute", "EmailAttribute", "NameAttribute",
        "GroupBaseDN", "GroupFilter", "GroupUserAttribute", "GroupMemberAttribute", "GroupNameAttribute",
    ];

    private static readonly string[] OidcKeys = ["Type", "Id", "Name", "Issuer", "ClientId", "ClientSecretSecret", "ClientSecretEnv", "Scopes"];

    // Keys that would carry a secret value; refused by name, their values never read into a message.
    private static readonly string[] InlineSecretKeys = ["BindPassword", "BindPW", "Password", "ClientSecret", "Secret"];

    private DexConnector(string type, JsonObject entry, IReadOnlyList<FleetOidcSecretReference> references)
    {
        Type = type;
        Entry = entry;
        References = references;
    }

    /// <summary><c>ldap</c> or <c>oidc</c>.</summary>
    public string Type { get; }

    /// <summary>The entry of Dex's <c>connectors</c> list.</summary>
    internal JsonObject Entry { get; }

    public IReadOnlyList<FleetOidcSecretReference> References { get; }

    /// <summary>Reads and checks the hashtable; <paramref name="issuerUrl"/> is Dex's own issuer, whose /callback the upstream redirects to.</summary>
    public static DexConnector Parse(IDictionary? connector, string issuerUrl)
    {
        if (connector is null) throw OidcSettings.Invalid("-Connector", "-Connector is required: a hashtable with Type = 'ldap' or 'oidc'.");
        var fields = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry item in connector)
        {
            var key = item.Key?.ToString() ?? "";
            if (InlineSecretKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                throw OidcSettings.Invalid($"-Connector.{key}",
                    $"-Connector key '{key}' would put a secret into the Dex configuration, which never holds one. " +
                    "Name where Dex reads it instead: a key ending in 'Secret' with 'secret-name/key', or in 'Env' with a variable name.");
            }
            fields[key] = item.Value;
        }
        var type = Text(fields, "Type")?.ToLowerInvariant();
        return type switch
        {
            "ldap" => Ldap(fields),
            "oidc" => Oidc(fields, issuerUrl),
            _ => throw OidcSettings.Invalid("-Connector.Type", $"-Connector Type '{type}' is not a connector this module renders; give 'ldap' or 'oidc'."),
        };
    }

    private static DexConnector Ldap(Dictionary<string, object?> fields)
    {
        CheckKeys(fields, LdapKeys, "ldap");
        var references = new List<FleetOidcSecretReference>();
        var config = new JsonObject
        {
            ["host"] = Required(fields, "Host"),
            ["bindDN"] = Required(fields, "BindDN"),
            ["bindPW"] = Reference(fields, "BindPassword", "DEX_LDAP_BIND_PASSWORD", "ldap.bindPW", references),
        };
        if (Text(fields, "RootCA") is { } rootCa) config["rootCA"] = rootCa;
        if (fields.TryGetValue("StartTLS", out var startTls) && startTls is not null) config["startTLS"] = IsTrue(startTls);
        config["usernamePrompt"] = "Username";
        config["userSearch"] = new JsonObject
        {
            ["baseDN"] = Required(fields, "UserBaseDN"),
            ["filter"] = Text(fields, "UserFilter") ?? "(objectClass=person)",
            ["username"] = Text(fields, "UsernameAttribute") ?? "uid",
            ["idAttr"] = Text(fields, "IdAttribute") ?? "uid",
            ["emailAttr"] = Text(fields, "EmailAttribute") ?? "mail",
            ["nameAttr"] = Text(fields, "NameAttribute") ?? "cn",
        };
        if (Text(fields, "GroupBaseDN") is { } groupBase)
        {
            config["groupSearch"] = new JsonObject
            {
                ["baseDN"] = groupBase,
                ["filter"] = Text(fields, "GroupFilter") ?? "(objectClass=groupOfNames)",
                ["userMatchers"] = new JsonArray(new JsonObject
                {
                    ["userAttr"] = Text(fields, "GroupUserAttribute") ?? "DN",
                    ["groupAttr"] = Text(fields, "GroupMemberAttribute") ?? "member",
                }),
                ["nameAttr"] = Text(fields, "GroupNameAttribute") ?? "cn",
            };
        }
        return new DexConnector("ldap", ConnectorEntry(fields, "ldap", "LDAP", config), references);
    }

    private static DexConnector Oidc(Dictionary<string, object?> fields, string issuerUrl)
    {
        CheckKeys(fields, OidcKeys, "oidc");
        var references = new List<FleetOidcSecretReference>();
        var scopes = Texts(fields, "Scopes") is { Count: > 0 } given ? given : ["openid", "profile", "email", "groups"];
        var config = new JsonObject
        {
            ["issuer"] = OidcSettings.RequireHttpsUrl(Required(fields, "Issuer"), "-Connector.Issuer"),
            ["clientID"] = Required(fields, "ClientId"),
            ["clientSecret"] = Reference(fields, "ClientSecret", "DEX_UPSTREAM_CLIENT_SECRET", "oidc.clientSecret", references),
            ["redirectURI"] = issuerUrl + "/callback",
            ["scopes"] = new JsonArray(scopes.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
        };
        // Dex drops the upstream's groups claim unless told to pass it on.
        if (scopes.Contains("groups", StringComparer.Ordinal)) config["insecureEnableGroups"] = true;
        return new DexConnector("oidc", ConnectorEntry(fields, "oidc", "OIDC", config), references);
    }

    private static JsonObject ConnectorEntry(Dictionary<string, object?> fields, string type, string defaultName, JsonObject config) => new()
    {
        ["type"] = type,
        ["id"] = Text(fields, "Id") ?? type,
        ["name"] = Text(fields, "Name") ?? defaultName,
        ["config"] = config,
    };

    /// <summary>
    /// <c>$VARIABLE</c> for Dex to expand (it expands environment variables in connector
    /// configurations); the variable comes from the Kubernetes Secret named by <c>{field}Secret</c>
    /// or is <c>{field}Env</c> as given.
    /// </summary>
    private static string Reference(Dictionary<string, object?> fields, string field, string defaultVariable, string purpose,
        List<FleetOidcSecretReference> references)
    {
        var secret = Text(fields, field + "Secret");
        var variable = Text(fields, field + "Env");
        if ((secret is null) == (variable is null))
        {
            throw OidcSettings.Invalid($"-Connector.{field}",
                $"-Connector needs exactly one of {field}Secret ('secret-name/key') and {field}Env (a variable name) to say where Dex reads the {purpose}.");
        }
        if (variable is not null)
        {
            if (!VariableName().IsMatch(variable))
                throw OidcSettings.Invalid($"-Connector.{field}Env", $"-Connector {field}Env is not an environment variable name (A-Z, 0-9, _); its value is not repeated here in case it is the {purpose} itself.");
            references.Add(new FleetOidcSecretReference { Field = purpose, EnvironmentVariable = variable });
            return "$" + variable;
        }
        var parts = secret!.Split('/');
        if (parts.Length != 2 || !SecretName().IsMatch(parts[0]) || !SecretKey().IsMatch(parts[1]))
        {
            throw OidcSettings.Invalid($"-Connector.{field}Secret",
                $"-Connector {field}Secret is not 'secret-name/key' (a Kubernetes Secret in Dex's namespace and the key holding the {purpose}); its value is not repeated here in case it is the {purpose} itself.");
        }
        references.Add(new FleetOidcSecretReference { Field = purpose, EnvironmentVariable = defaultVariable, SecretName = parts[0], SecretKey = parts[1] });
        return "$" + defaultVariable;
    }

    private static void CheckKeys(Dictionary<string, object?> fields, string[] known, string type)
    {
        var unknown = fields.Keys.FirstOrDefault(k => !known.Contains(k, StringComparer.OrdinalIgnoreCase));
        if (unknown is not null)
            throw OidcSettings.Invalid($"-Connector.{unknown}", $"-Connector key '{unknown}' is not a setting of the {type} connector; it takes {string.Join(", ", known)}.");
    }

    private static string Required(Dictionary<string, object?> fields, string key) =>
        Text(fields, key) ?? throw OidcSettings.Invalid($"-Connector.{key}", $"-Connector is missing {key}.");

    private static string? Text(Dictionary<string, object?> fields, string key) =>
        fields.TryGetValue(key, out var value) && value?.ToString() is { } text && !string.IsNullOrWhiteSpace(text) ? text.Trim() : null;

    private static List<string> Texts(Dictionary<string, object?> fields, string key) => fields.TryGetValue(key, out var value) ? value switch
    {
        null => [],
        string text => [text],
        IEnumerable values => values.Cast<object?>().Select(v => v?.ToString() ?? "").Where(v => v.Length > 0).ToList(),
        var other => [other.ToString() ?? ""],
    } : [];

    private static bool IsTrue(object value) => value switch
    {
        bool flag => flag,
        string text => bool.TryParse(text, out var parsed) && parsed,
        _ => value.ToString() is "True",
    };

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\z")]
    private static partial Regex VariableName();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\z")]
    private static partial Regex SecretName();

    [GeneratedRegex(@"^[-._a-zA-Z0-9]+\z")]
    private static partial Regex SecretKey();
}

/// <summary>
/// Dex's configuration for the fleet: Kubernetes storage in the cluster Dex runs in, the web
/// listener, the connector, and one public static client (the client id every API server
/// accepts as audience) whose redirect URIs are kubelogin's loopback addresses, which every
/// cluster's kubeconfig uses, plus any per-cluster URL template given.
/// </summary>
public static class DexConfigRenderer
{
    /// <summary>kubelogin's default callback addresses (port 8000, and 18000 when 8000 is taken).</summary>
    public static readonly IReadOnlyList<string> LoopbackRedirectUris = ["http://localhost:8000", "http://localhost:18000"];

    public const string ClusterPlaceholder = "{cluster}";

    public static FleetDexConfig Render(OidcSettings settings, DexConnector connector, IReadOnlyList<FleetCluster> clusters,
        IReadOnlyList<string> redirectUriTemplates, string? fleetName)
    {
        var redirectUris = LoopbackRedirectUris.ToList();
        foreach (var template in redirectUriTemplates)
        {
            if (!template.Contains(ClusterPlaceholder, StringComparison.Ordinal))
            {
                redirectUris.Add(OidcSettings.RequireHttpsUrl(template, "-RedirectUri"));
                continue;
            }
            foreach (var cluster in clusters)
                redirectUris.Add(OidcSettings.RequireHttpsUrl(template.Replace(ClusterPlaceholder, cluster.Name, StringComparison.Ordinal), "-RedirectUri"));
        }
        redirectUris = redirectUris.Distinct(StringComparer.Ordinal).ToList();

        var config = new JsonObject
        {
            ["issuer"] = settings.IssuerUrl,
            ["storage"] = new JsonObject { ["type"] = "kubernetes", ["config"] = new JsonObject { ["inCluster"] = true } },
            ["web"] = new JsonObject { ["http"] = "0.0.0.0:5556" },
            ["oauth2"] = new JsonObject { ["skipApprovalScreen"] = true },
            ["connectors"] = new JsonArray(connector.Entry.DeepClone()),
            ["staticClients"] = new JsonArray(new JsonObject
            {
                ["id"] = settings.ClientId,
                ["name"] = fleetName is null ? "Kubernetes" : $"Kubernetes fleet {fleetName}",
                // kubelogin authenticates with PKCE; a public client leaves no client secret to hand out.
                ["public"] = true,
                ["redirectURIs"] = new JsonArray(redirectUris.Select(u => (JsonNode?)JsonValue.Create(u)).ToArray()),
            }),
        };

        var fromSecrets = connector.References.Where(r => r.SecretName is not null).ToList();
        var environment = fromSecrets.Count == 0 ? null : YamlWriter.Write(new JsonObject
        {
            ["env"] = new JsonArray(fromSecrets.Select(r => (JsonNode?)new JsonObject
            {
                ["name"] = r.EnvironmentVariable,
                ["valueFrom"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["name"] = r.SecretName, ["key"] = r.SecretKey } },
            }).ToArray()),
        });
        return new FleetDexConfig
        {
            Issuer = settings.IssuerUrl,
            ClientId = settings.ClientId,
            Connector = connector.Type,
            RedirectUris = redirectUris,
            SecretReferences = connector.References,
            Yaml = YamlWriter.Write(config),
            EnvironmentYaml = environment,
        };
    }
}
