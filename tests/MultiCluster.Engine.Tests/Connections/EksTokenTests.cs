using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;
using k8s.KubeConfigModels;
using MultiCluster.Engine.Connections;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Tests.Connections;

public class EksTokenTests
{
    private static readonly ImmutableCredentials Credentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);
    private static readonly DateTime SignedAt = new(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc);

    [Fact]
    public void The_sdk_signer_reproduces_the_published_get_vanilla_vector()
    {
        // AWS SigV4 test suite, get-vanilla.
        const string canonicalRequest = "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + SigV4Presigner.EmptyPayloadHash;

        var result = AWS4Signer.ComputeSignature("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1",
            new DateTime(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc), "service", "host;x-amz-date", canonicalRequest);

        result.Signature.Should().Be("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    }

    [Fact]
    public void The_presigner_reproduces_the_published_S3_presigned_url()
    {
        // Amazon S3 API reference, "Authenticating Requests: Using Query Parameters", GET test.txt.
        var url = SigV4Presigner.Presign("GET", "examplebucket.s3.amazonaws.com", "/test.txt", Array.Empty<KeyValuePair<string, string>>(),
            new Dictionary<string, string>(), SigV4Presigner.UnsignedPayload, "s3", "us-east-1",
            new ImmutableCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", null),
            new DateTime(2013, 5, 24, 0, 0, 0, DateTimeKind.Utc), 86400);

        url.Should().Be("https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
            "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z" +
            "&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
    }

    [Fact]
    public void The_token_is_a_presigned_GetCallerIdentity_url_with_the_cluster_header_signed()
    {
        var token = EksTokenSource.CreateToken(Credentials, "prod-use1-01", "us-east-1", SignedAt);

        token.Should().StartWith("k8s-aws-v1.");
        token.Should().NotContain("=").And.NotContain("+").And.NotContain("/");
        var url = Decode(token);
        url.Should().StartWith("https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256" +
            "&X-Amz-Credential=AKIDEXAMPLE%2F20250304%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20250304T050607Z&X-Amz-Expires=60" +
            "&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Signature=");
        var signature = url[(url.LastIndexOf('=') + 1)..];
        signature.Should().MatchRegex("^[0-9a-f]{64}$");
        signature.Should().Be(ReferenceSignature(url, "prod-use1-01", "us-east-1", Credentials.SecretKey));
    }

    [Theory]
    [InlineData("cn-north-1", "https://sts.cn-north-1.amazonaws.com.cn/")]
    [InlineData("cn-northwest-1", "https://sts.cn-northwest-1.amazonaws.com.cn/")]
    [InlineData("us-iso-east-1", "https://sts.us-iso-east-1.c2s.ic.gov/")]
    [InlineData("us-isob-east-1", "https://sts.us-isob-east-1.sc2s.sgov.gov/")]
    [InlineData("us-gov-west-1", "https://sts.us-gov-west-1.amazonaws.com/")]
    public void The_token_is_signed_for_the_STS_host_of_the_region_s_partition(string region, string prefix)
    {
        var url = Decode(EksTokenSource.CreateToken(Credentials, "c", region, SignedAt));

        url.Should().StartWith(prefix);
        url.Should().Contain($"%2F{region}%2Fsts%2Faws4_request");
        url[(url.LastIndexOf('=') + 1)..].Should().Be(ReferenceSignature(url, "c", region, Credentials.SecretKey));
    }

    [Fact]
    public void The_region_is_the_profile_s_region_in_the_shared_config_file()
    {
        var config = Path.GetTempFileName();
        try
        {
            File.WriteAllText(config, "[default]\nregion = eu-central-1\n\n[profile china]\noutput = json\nregion=cn-north-1\n[profile bare]\noutput = json\n");

            EksTokenRequest.ProfileRegion("china", config).Should().Be("cn-north-1");
            EksTokenRequest.ProfileRegion(null, config).Should().Be("eu-central-1");
            EksTokenRequest.ProfileRegion("default", config).Should().Be("eu-central-1");
            EksTokenRequest.ProfileRegion("bare", config).Should().BeNull();
            EksTokenRequest.ProfileRegion("missing", config).Should().BeNull();
            EksTokenRequest.ProfileRegion("china", config + ".absent").Should().BeNull();
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public void The_session_token_is_signed_into_the_url()
    {
        var session = new ImmutableCredentials("ASIAEXAMPLE", "secret", "session/token+value");

        var url = Decode(EksTokenSource.CreateToken(session, "c", "eu-west-1", SignedAt));

        url.Should().Contain("&X-Amz-Security-Token=session%2Ftoken%2Bvalue&X-Amz-SignedHeaders=");
        url.Should().StartWith("https://sts.eu-west-1.amazonaws.com/");
        url[(url.LastIndexOf('=') + 1)..].Should().Be(ReferenceSignature(url, "c", "eu-west-1", "secret"));
    }

    [Fact]
    public async Task Tokens_are_cached_for_fourteen_minutes()
    {
        var now = new DateTimeOffset(SignedAt);
        var calls = 0;
        var source = new EksTokenSource("c", new EksTokenRequest("c", "us-east-1", null), () => { calls++; return Credentials; }, () => now);

        var first = await source.GetAsync(CancellationToken.None);
        now = now.AddMinutes(13);
        (await source.GetAsync(CancellationToken.None)).Token.Should().Be(first.Token);
        now = now.AddMinutes(2);
        (await source.GetAsync(CancellationToken.None)).Token.Should().NotBe(first.Token);
        calls.Should().Be(2);
    }

    [Theory]
    [InlineData("aws", "eks get-token --cluster-name prod --region eu-west-1", "prod", "eu-west-1", null)]
    [InlineData("/usr/local/bin/aws", "--region us-west-2 eks get-token --cluster-name=prod --profile ops --output json", "prod", "us-west-2", "ops")]
    [InlineData("aws-iam-authenticator", "token -i dev", "dev", "ap-south-1", "from-env")]
    public void Recognises_eks_exec_entries(string command, string args, string cluster, string region, string? profile)
    {
        var exec = new ExternalExecution
        {
            Command = command,
            ApiVersion = "client.authentication.k8s.io/v1beta1",
            Arguments = args.Split(' ').ToList(),
            EnvironmentVariables = new List<Dictionary<string, string>>
            {
                new() { ["name"] = "AWS_REGION", ["value"] = "ap-south-1" },
                new() { ["name"] = "AWS_PROFILE", ["value"] = "from-env" },
            },
        };

        EksTokenRequest.TryParse(exec).Should().Be(new EksTokenRequest(cluster, region, profile ?? "from-env"));
    }

    [Theory]
    [InlineData("aws", "eks get-token --cluster-name prod --role-arn arn:aws:iam::1:role/x")]
    [InlineData("aws", "sts get-caller-identity")]
    [InlineData("aws-iam-authenticator", "token -i dev -r arn:aws:iam::1:role/x")]
    [InlineData("kubelogin", "get-token")]
    public void Leaves_other_exec_entries_to_the_plugin(string command, string args)
    {
        var exec = new ExternalExecution { Command = command, ApiVersion = "client.authentication.k8s.io/v1beta1", Arguments = args.Split(' ').ToList() };

        EksTokenRequest.TryParse(exec).Should().BeNull();
    }

    [Fact]
    public async Task Credentials_come_from_the_standard_chain_environment_variables()
    {
        var names = new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN" };
        var previous = names.ToDictionary(n => n, Environment.GetEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "AKIAFROMENVIRONMENT");
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "secret-from-environment");
            Environment.SetEnvironmentVariable("AWS_SESSION_TOKEN", "session-from-environment");
            var source = new EksTokenSource("c", new EksTokenRequest("prod", "us-east-1", null));

            var url = Decode((await source.GetAsync(CancellationToken.None)).Token!);

            url.Should().Contain("X-Amz-Credential=AKIAFROMENVIRONMENT%2F").And.Contain("X-Amz-Security-Token=session-from-environment");
        }
        finally
        {
            foreach (var (name, value) in previous) Environment.SetEnvironmentVariable(name, value);
        }
    }

    [Fact]
    public async Task An_unknown_profile_is_AwsCredentialsNotFound()
    {
        var source = new EksTokenSource("c", new EksTokenRequest("c", "us-east-1", "no-such-profile-" + Guid.NewGuid().ToString("N")));

        var error = (await FluentActions.Awaiting(() => source.GetAsync(CancellationToken.None)).Should().ThrowAsync<FleetClusterException>()).Which;
        error.ErrorId.Should().Be(FleetErrorIds.AwsCredentialsNotFound);
        error.Cluster.Should().Be("c");
    }

    private static string Decode(string token)
    {
        var data = token["k8s-aws-v1.".Length..].Replace('-', '+').Replace('_', '/');
        data = data.PadRight(data.Length + (4 - data.Length % 4) % 4, '=');
        return Encoding.UTF8.GetString(Convert.FromBase64String(data));
    }

    // An independent SigV4 computation from the URL's own query, to check the signer end to end.
    private static string ReferenceSignature(string url, string cluster, string region, string secret)
    {
        var uri = new Uri(url);
        var query = uri.Query.TrimStart('?');
        var canonicalQuery = query[..query.IndexOf("&X-Amz-Signature=", StringComparison.Ordinal)];
        var amzDate = canonicalQuery.Split('&').Single(p => p.StartsWith("X-Amz-Date=", StringComparison.Ordinal))["X-Amz-Date=".Length..];
        var canonicalRequest = $"GET\n/\n{canonicalQuery}\nhost:{uri.Host}\nx-k8s-aws-id:{cluster}\n\nhost;x-k8s-aws-id\n{SigV4Presigner.EmptyPayloadHash}";
        var scope = $"{amzDate[..8]}/{region}/sts/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), amzDate[..8]);
        key = Hmac(key, region);
        key = Hmac(key, "sts");
        key = Hmac(key, "aws4_request");
        return Hex(Hmac(key, stringToSign));
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
