using System.Text;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Access;

/// <summary>
/// An existing Dex configuration, with every secret it holds inline moved out: each value goes into
/// the Secret <c>dex-moved-secrets</c> under an environment variable's name, and the configuration
/// names the variable instead, the ways Dex reads one: <c>$VARIABLE</c> in connector and storage
/// configurations (Dex expands them, unless DEX_EXPAND_ENV is false), <c>secretEnv</c> for a static
/// client's secret and <c>hashFromEnv</c> for a static password's hash. <see cref="Moved"/> says which
/// fields moved; the values themselves stay in <see cref="Values"/>, which nothing shows or writes.
/// </summary>
public sealed class DexExistingConfig
{
    // Fields of connector and storage configurations that hold a credential.
    private static readonly string[] SecretFields = ["clientSecret", "bindPW", "password", "secret", "token", "apiToken", "privateKey"];

    private DexExistingConfig(JsonObject config, IReadOnlyList<FleetOidcSecretReference> moved, IReadOnlyDictionary<string, string> values)
    {
        Config = config;
        Moved = moved;
        Values = values;
    }

    /// <summary>The configuration with references in place of the secrets.</summary>
    public JsonObject Config { get; }

    /// <summary>Each moved field: where it was, the variable that names it now, the Secret and key holding it.</summary>
    public IReadOnlyList<FleetOidcSecretReference> Moved { get; }

    /// <summary>The moved values by variable name: only for the Secret -Apply sends.</summary>
    internal IReadOnlyDictionary<string, string> Values { get; }

    public string Yaml => YamlWriter.Write(Config);

    /// <summary>The connector types, for the FleetDexConfig.</summary>
    public string Connectors => string.Join(", ", (Config["connectors"] as JsonArray ?? []).Select(c => c?["type"]?.ToString()).Where(t => t is not null));

    /// <summary>The redirect URIs of the static client with <paramref name="clientId"/>.</summary>
    public IReadOnlyList<string> RedirectUris(string clientId) => (Config["staticClients"] as JsonArray ?? [])
        .OfType<JsonObject>().Where(c => c["id"]?.ToString() == clientId)
        .SelectMany(c => c["redirectURIs"] as JsonArray ?? []).Select(u => u?.ToString() ?? "").Where(u => u.Length > 0).ToList();

    public static DexExistingConfig Load(string path, string issuerUrl)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FleetInputException(OidcErrorIds.OidcInputInvalid, FleetErrorCategory.ObjectNotFound, path, $"-DexConfigPath '{path}' cannot be read: {ex.Message}", ex);
        }
        return Parse(text, path, issuerUrl);
    }

    public static DexExistingConfig Parse(string text, string source, string issuerUrl)
    {
        IReadOnlyList<ParsedDocument> documents;
        try
        {
            documents = YamlReader.ReadDocuments(text, source).Where(d => !d.IsEmpty).ToList();
        }
        catch (FleetException ex)
        {
            throw new FleetInputException(OidcErrorIds.OidcInputInvalid, FleetErrorCategory.ParserError, source, ex.Message, ex);
        }
        if (documents.Count != 1 || documents[0].Root is not JsonObject root)
            throw OidcSettings.Invalid(source, $"The Dex configuration {source} is not one YAML mapping (issuer, storage, connectors, staticClients).");
        // A ConfigMap or Secret of Dex's, as the teaching material deploys it, holds the configuration under config.yaml.
        if (root["kind"]?.ToString() is "ConfigMap" && root["data"]?[DexInstallRenderer.ConfigKey]?.ToString() is { } inner)
            return Parse(inner, $"{source} ({DexInstallRenderer.ConfigKey})", issuerUrl);

        var issuer = root["issuer"]?.ToString()?.TrimEnd('/');
        if (issuer is null)
            throw OidcSettings.Invalid(source, $"The Dex configuration {source} has no issuer.");
        if (!string.Equals(issuer, issuerUrl, StringComparison.Ordinal))
        {
            throw OidcSettings.Invalid(source,
                $"The Dex configuration {source} has the issuer '{issuer}', but -IssuerUrl is '{issuerUrl}'; the API servers would refuse its tokens. Give the same issuer to both.");
        }

        var config = (JsonObject)root.DeepClone();
        var moved = new List<FleetOidcSecretReference>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);

        void Move(JsonObject holder, string field, string path, string variable, string? referenceField = null)
        {
            if (holder[field] is not JsonValue value || value.ToString() is not { Length: > 0 } secret) return;
            // Already a reference ($VARIABLE) for Dex to expand: nothing inline to move.
            if (referenceField is null && secret.StartsWith('$')) return;
            variable = Unique(variable, values);
            values[variable] = secret;
            if (referenceField is null) holder[field] = "$" + variable;
            else
            {
                holder.Remove(field);
                holder[referenceField] = variable;
            }
            moved.Add(new FleetOidcSecretReference
            {
                Field = path, EnvironmentVariable = variable, SecretName = DexInstallRenderer.MovedSecretName, SecretKey = variable,
            });
        }

        var connectors = config["connectors"] as JsonArray ?? [];
        for (var i = 0; i < connectors.Count; i++)
        {
            if (connectors[i] is not JsonObject connector || connector["config"] is not JsonObject settings) continue;
            var id = connector["id"]?.ToString() ?? $"{i}";
            foreach (var field in SecretFields)
                Move(settings, field, $"connectors[{id}].config.{field}", $"DEX_{Variable(id)}_{Variable(field)}");
        }
        if (config["storage"]?["config"] is JsonObject storage)
        {
            foreach (var field in SecretFields)
                Move(storage, field, $"storage.config.{field}", $"DEX_STORAGE_{Variable(field)}");
        }
        var clients = config["staticClients"] as JsonArray ?? [];
        for (var i = 0; i < clients.Count; i++)
        {
            if (clients[i] is not JsonObject client) continue;
            var id = client["id"]?.ToString() ?? $"{i}";
            Move(client, "secret", $"staticClients[{id}].secret", $"DEX_CLIENT_{Variable(id)}_SECRET", "secretEnv");
        }
        var passwords = config["staticPasswords"] as JsonArray ?? [];
        for (var i = 0; i < passwords.Count; i++)
        {
            if (passwords[i] is not JsonObject password) continue;
            var user = password["username"]?.ToString() ?? password["email"]?.ToString() ?? $"{i}";
            Move(password, "hash", $"staticPasswords[{user}].hash", $"DEX_PASSWORD_{Variable(user)}_HASH", "hashFromEnv");
        }
        return new DexExistingConfig(config, moved, values);
    }

    // An environment variable name: upper-case letters, digits and '_'.
    private static string Variable(string text)
    {
        var builder = new StringBuilder();
        foreach (var c in text)
            builder.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        return builder.ToString().Trim('_') is { Length: > 0 } name ? name : "X";
    }

    private static string Unique(string variable, Dictionary<string, string> taken)
    {
        var candidate = variable;
        for (var n = 2; taken.ContainsKey(candidate); n++) candidate = $"{variable}_{n}";
        return candidate;
    }
}
