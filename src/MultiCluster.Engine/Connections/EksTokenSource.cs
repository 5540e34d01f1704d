using Amazon.Runtime;
using k8s.KubeConfigModels;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Connections;

/// <summary>What an EKS exec entry asks for: the cluster, and optionally the region and AWS profile.</summary>
internal sealed record EksTokenRequest(string ClusterName, string Region, string? Profile)
{
    /// <summary>
    /// Recognises <c>aws eks get-token --cluster-name X [--region R] [--profile P]</c> and
    /// <c>aws-iam-authenticator token -i X</c>. Returns null for anything else, and for options the
    /// in-process token does not cover (assuming a role), so that the plugin itself runs instead.
    /// </summary>
    public static EksTokenRequest? TryParse(ExternalExecution exec)
    {
        var command = Path.GetFileNameWithoutExtension(exec.Command ?? "").ToLowerInvariant();
        var args = (exec.Arguments ?? new List<string>()).ToList();
        var environment = (exec.EnvironmentVariables ?? new List<Dictionary<string, string>>())
            .Where(v => v.ContainsKey("name"))
            .GroupBy(v => v["name"])
            .ToDictionary(g => g.Key, g => g.Last().GetValueOrDefault("value") ?? "", StringComparer.Ordinal);

        string? cluster, region = null, profile = null;
        if (command == "aws")
        {
            var eks = args.IndexOf("eks");
            if (eks < 0 || eks + 1 >= args.Count || args[eks + 1] != "get-token") return null;
            if (HasOption(args, "--role-arn")) return null;
            cluster = Option(args, "--cluster-name");
            region = Option(args, "--region");
            profile = Option(args, "--profile");
        }
        else if (command == "aws-iam-authenticator")
        {
            if (!args.Contains("token") || HasOption(args, "-r") || HasOption(args, "--role")) return null;
            cluster = Option(args, "-i") ?? Option(args, "--cluster-id");
            region = Option(args, "--region");
        }
        else
        {
            return null;
        }
        if (string.IsNullOrEmpty(cluster)) return null;

        profile ??= environment.GetValueOrDefault("AWS_PROFILE");
        // The aws CLI's order: --region, the environment, then the profile's region in the config file.
        region ??= environment.GetValueOrDefault("AWS_REGION") ?? environment.GetValueOrDefault("AWS_DEFAULT_REGION")
            ?? Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION")
            ?? ProfileRegion(string.IsNullOrEmpty(profile) ? Environment.GetEnvironmentVariable("AWS_PROFILE") : profile, ConfigFilePath()) ?? "us-east-1";
        return new EksTokenRequest(cluster, region, string.IsNullOrEmpty(profile) ? null : profile);
    }

    /// <summary>The shared config file: <c>$AWS_CONFIG_FILE</c>, else <c>~/.aws/config</c>.</summary>
    internal static string ConfigFilePath() =>
        Environment.GetEnvironmentVariable("AWS_CONFIG_FILE") is { Length: > 0 } path
            ? path
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".aws", "config");

    /// <summary>
    /// The <c>region</c> of <paramref name="profile"/> (<c>[profile NAME]</c>, or <c>[default]</c> when
    /// null) in the shared config file at <paramref name="configPath"/>; null when it names none.
    /// </summary>
    internal static string? ProfileRegion(string? profile, string configPath)
    {
        if (!File.Exists(configPath)) return null;
        var wanted = string.IsNullOrEmpty(profile) || profile == "default" ? new[] { "default", "profile default" } : new[] { "profile " + profile };
        var inSection = false;
        foreach (var raw in File.ReadLines(configPath))
        {
            var line = raw.Trim();
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                inSection = wanted.Contains(line[1..^1].Trim(), StringComparer.Ordinal);
                continue;
            }
            var equals = line.IndexOf('=');
            if (inSection && equals > 0 && line[..equals].Trim() == "region" && line[(equals + 1)..].Trim() is { Length: > 0 } region) return region;
        }
        return null;
    }

    private static bool HasOption(List<string> args, string name) =>
        args.Any(a => a == name || a.StartsWith(name + "=", StringComparison.Ordinal));

    private static string? Option(List<string> args, string name)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == name && i + 1 < args.Count) return args[i + 1];
            if (args[i].StartsWith(name + "=", StringComparison.Ordinal)) return args[i][(name.Length + 1)..];
        }
        return null;
    }
}

/// <summary>
/// EKS bearer tokens built in-process, exactly as <c>aws eks get-token</c> builds them: a SigV4
/// presigned <c>sts:GetCallerIdentity</c> URL with the cluster name in the signed
/// <c>x-k8s-aws-id</c> header, valid 60 seconds for STS and 15 minutes for EKS; cached 14 minutes.
/// </summary>
internal sealed class EksTokenSource : ICredentialSource
{
    internal const string TokenPrefix = "k8s-aws-v1.";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(14);

    private readonly string _cluster;
    private readonly EksTokenRequest _request;
    private readonly Func<ImmutableCredentials> _credentials;
    private readonly Func<DateTimeOffset> _clock;
    private readonly object _gate = new();
    private ExecCredential? _cached;

    public EksTokenSource(string cluster, EksTokenRequest request, Func<ImmutableCredentials>? credentials = null, Func<DateTimeOffset>? clock = null)
    {
        _cluster = cluster;
        _request = request;
        _credentials = credentials ?? ResolveCredentials;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
    }

    public Task<ExecCredential> GetAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = _clock();
            if (_cached?.Expiration > now) return Task.FromResult(_cached);
            var token = CreateToken(_credentials(), _request.ClusterName, _request.Region, now.UtcDateTime);
            _cached = new ExecCredential(token, null, null, now + Lifetime);
            return Task.FromResult(_cached);
        }
    }

    public void Invalidate()
    {
        lock (_gate) _cached = null;
    }

    /// <summary>The token for <paramref name="clusterName"/>, signed at <paramref name="signedAtUtc"/>.</summary>
    internal static string CreateToken(ImmutableCredentials credentials, string clusterName, string region, DateTime signedAtUtc)
    {
        var url = SigV4Presigner.Presign("GET", StsHost(region), "/",
            new KeyValuePair<string, string>[] { new("Action", "GetCallerIdentity"), new("Version", "2011-06-15") },
            new Dictionary<string, string> { ["x-k8s-aws-id"] = clusterName },
            SigV4Presigner.EmptyPayloadHash, "sts", region, credentials, signedAtUtc, expiresSeconds: 60);
        return TokenPrefix + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(url)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The regional STS endpoint in the region's partition (aws, aws-cn, aws-iso, aws-iso-b).</summary>
    internal static string StsHost(string region) => $"sts.{region}." + (
        region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn"
        : region.StartsWith("us-isob-", StringComparison.Ordinal) ? "sc2s.sgov.gov"
        : region.StartsWith("us-iso-", StringComparison.Ordinal) ? "c2s.ic.gov"
        : "amazonaws.com");

    private ImmutableCredentials ResolveCredentials() => AwsCredentialChain.Resolve(_request.Profile, NotFound);

    private FleetClusterException NotFound(string what, Exception? inner = null) =>
        new(FleetErrorIds.AwsCredentialsNotFound, FleetErrorCategory.AuthenticationError, _cluster,
            $"Cannot build the EKS token of cluster '{_cluster}': {what}.", inner,
            "Set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or AWS_PROFILE, or sign in with 'aws sso login'.");
}
