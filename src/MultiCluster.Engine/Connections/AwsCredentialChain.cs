using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;

namespace MultiCluster.Engine.Connections;

/// <summary>
/// Resolves AWS credentials the way the AWS CLI does: a named profile from the shared files, or the
/// default chain (environment, shared credentials and config files, SSO, container and instance roles).
/// Used for EKS tokens and for Cluster API's AWS bootstrap credentials.
/// </summary>
internal static class AwsCredentialChain
{
    /// <summary>
    /// The credentials, or the exception <paramref name="notFound"/> builds from a description of
    /// what was missing (never containing a key).
    /// </summary>
    public static ImmutableCredentials Resolve(string? profile, Func<string, Exception?, Exception> notFound)
    {
        try
        {
            AWSCredentials? credentials;
            if (profile is not null)
            {
                // AWS_SHARED_CREDENTIALS_FILE is read on every call, as the AWS CLI does: left to itself the SDK
                // keeps using the file it found first in the process, and a PowerShell session outlives that.
                var location = Environment.GetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE");
                var store = string.IsNullOrEmpty(location) ? new CredentialProfileStoreChain() : new CredentialProfileStoreChain(location);
                if (!store.TryGetAWSCredentials(profile, out credentials))
                    throw notFound($"the AWS profile '{profile}' is not in the shared credentials or config file", null);
            }
            else
            {
                credentials = DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
            }
            var resolved = credentials?.GetCredentials();
            if (resolved is null || string.IsNullOrEmpty(resolved.AccessKey))
                throw notFound("the AWS credential chain returned no credentials", null);
            return resolved;
        }
        catch (AmazonClientException e)
        {
            throw notFound("no AWS credentials were found (environment, shared credentials and config files, SSO, container and instance roles were tried)", e);
        }
    }
}
