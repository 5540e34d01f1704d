using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Lifecycle;

/// <summary>
/// The secret Cluster API Provider AWS reads its credentials from: what
/// <c>clusterawsadm bootstrap credentials encode-as-profile</c> prints (a base64 AWS shared
/// credentials file with a <c>[default]</c> profile), stored under key <c>credentials</c> of
/// <c>capa-system/capa-manager-bootstrap-credentials</c>. Keys never leave the secret's data:
/// not in messages, ToString or errors.
/// </summary>
public static class AwsBootstrapCredentials
{
    public const string SecretName = "capa-manager-bootstrap-credentials";
    public const string SecretNamespace = "capa-system";
    public const string DataKey = "credentials";

    /// <summary>
    /// The secret built from the standard AWS credential chain (or <paramref name="profile"/>), for
    /// <paramref name="region"/>. Throws AwsCredentialsNotFound when the chain has none.
    /// </summary>
    public static KubeObject CreateSecret(string region, string? profile = null) =>
        CreateSecret(AwsCredentialChain.Resolve(profile, NotFound), region);

    internal static KubeObject CreateSecret(ImmutableCredentials credentials, string region)
    {
        if (string.IsNullOrWhiteSpace(region))
        {
            throw new FleetInputException(LifecycleErrorIds.AwsCredentialsInvalid, FleetErrorCategory.InvalidArgument, SecretName,
                "-Region is required to write the AWS bootstrap credentials (CAPA's default region).");
        }
        var secret = new KubeObject(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = SecretName, ["namespace"] = SecretNamespace },
            ["type"] = "Opaque",
            ["data"] = new JsonObject { [DataKey] = Base64(EncodeAsProfile(credentials, region)) },
        });
        secret.SetLabel(KubeObject.ManagedByLabel, KubeObject.ManagedByValue);
        return secret;
    }

    /// <summary>
    /// The value of the secret's <c>credentials</c> key once decoded, exactly as clusterawsadm
    /// renders it (CAPA decodes the secret data and reads it as a shared credentials file).
    /// </summary>
    internal static string EncodeAsProfile(ImmutableCredentials credentials, string region)
    {
        var profile = new StringBuilder();
        profile.Append("[default]\n");
        profile.Append("aws_access_key_id = ").Append(credentials.AccessKey).Append('\n');
        profile.Append("aws_secret_access_key = ").Append(credentials.SecretKey).Append('\n');
        profile.Append("region = ").Append(region).Append('\n');
        if (!string.IsNullOrEmpty(credentials.Token))
            profile.Append('\n').Append("aws_session_token = ").Append(credentials.Token).Append('\n');
        profile.Append('\n');
        return profile.ToString();
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static FleetInputException NotFound(string what, Exception? inner) =>
        new(FleetErrorIds.AwsCredentialsNotFound, FleetErrorCategory.AuthenticationError, SecretName,
            $"Cannot write the AWS bootstrap credentials: {what}.", inner,
            "Set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or AWS_PROFILE, or sign in with 'aws sso login'.");
}
