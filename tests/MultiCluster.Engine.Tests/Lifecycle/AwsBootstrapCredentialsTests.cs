using System.Text;
using Amazon.Runtime;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Testing.Xunit;

namespace MultiCluster.Engine.Tests.Lifecycle;

public class AwsBootstrapCredentialsTests
{
    private const string AccessKey = "AKIAEXAMPLEKEY000001";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";

    [Fact]
    public void The_profile_is_what_clusterawsadm_encode_as_profile_renders()
    {
        var profile = AwsBootstrapCredentials.EncodeAsProfile(new ImmutableCredentials(AccessKey, SecretKey, null), "eu-west-1");

        profile.Should().Be($"[default]\naws_access_key_id = {AccessKey}\naws_secret_access_key = {SecretKey}\nregion = eu-west-1\n\n");
    }

    [Fact]
    public void A_session_token_is_added_as_clusterawsadm_adds_it()
    {
        var profile = AwsBootstrapCredentials.EncodeAsProfile(new ImmutableCredentials(AccessKey, SecretKey, "FwoGZXIvYXdzEXAMPLE"), "us-east-1");

        profile.Should().EndWith("region = us-east-1\n\naws_session_token = FwoGZXIvYXdzEXAMPLE\n\n");
    }

    [Fact]
    public void The_secret_holds_the_base64_profile_where_capa_reads_it_and_shows_no_key()
    {
        var secret = AwsBootstrapCredentials.CreateSecret(new ImmutableCredentials(AccessKey, SecretKey, null), "us-east-1");

        secret.Reference.Should().Be("v1 Secret capa-system/capa-manager-bootstrap-credentials");
        secret.Labels["app.kubernetes.io/managed-by"].Should().Be("multicluster");
        var encoded = secret.Json["data"]!["credentials"]!.GetValue<string>();
        Encoding.UTF8.GetString(Convert.FromBase64String(encoded)).Should().Contain($"aws_secret_access_key = {SecretKey}");
        secret.ToString().Should().NotContain(AccessKey).And.NotContain(SecretKey).And.NotContain(encoded);
    }

    [Fact]
    public void A_missing_region_is_refused_without_echoing_anything_secret()
    {
        var noRegion = () => AwsBootstrapCredentials.CreateSecret(new ImmutableCredentials(AccessKey, SecretKey, null), " ");

        noRegion.Should().Throw<FleetInputException>().Which.Message.Should().Contain("-Region").And.NotContain(SecretKey).And.NotContain(AccessKey);
    }

    [Fact]
    public void An_unknown_profile_is_reported_without_credentials()
    {
        var act = () => AwsBootstrapCredentials.CreateSecret("us-east-1", profile: "multicluster-test-no-such-profile-" + Guid.NewGuid().ToString("N"));

        var error = act.Should().Throw<FleetException>().Which;
        error.ErrorId.Should().Be(FleetErrorIds.AwsCredentialsNotFound);
        error.Message.Should().Contain("is not in the shared credentials or config file");
    }

    [Fact]
    public async Task A_whatif_of_changed_credentials_shows_which_field_changes_but_no_value()
    {
        await using var management = await ManagementCluster.StartBareAsync("capa-whatif");
        management.CreateNamespace(AwsBootstrapCredentials.SecretNamespace);
        var apply = new ApplyService(management.Connector);
        var first = AwsBootstrapCredentials.CreateSecret(new ImmutableCredentials(AccessKey, SecretKey, null), "us-east-1");
        var rotated = AwsBootstrapCredentials.CreateSecret(new ImmutableCredentials("AKIAEXAMPLEKEY000002", "rotatedSecretKeyValue0000000000000000000", null), "us-east-1");
        await apply.ApplyAsync(apply.Plan([management.Cluster], [first]), new ApplyOptions()).ToListAsync();

        var preview = await apply.ApplyAsync(apply.Plan([management.Cluster], [rotated]), new ApplyOptions { WhatIf = true }).ToListAsync();

        var result = preview.Should().ContainSingle().Which;
        result.Action.Should().Be(FleetResourceAction.WouldChange);
        result.Changes.Select(c => c.Path).Should().Equal("data.credentials");
        var shown = string.Join(" ", result.Changes.Select(c => $"{c} {c.Before} {c.After}")) + result.Message;
        foreach (var secret in new[] { first, rotated })
            shown.Should().NotContain(secret.Json["data"]!["credentials"]!.GetValue<string>());
    }

    [RequiresSharedCrdsFact]
    public async Task The_secret_is_accepted_by_the_api_server()
    {
        await using var management = await ManagementCluster.StartBareAsync("capa");
        management.CreateNamespace(AwsBootstrapCredentials.SecretNamespace);

        var (status, body) = await management.CreateStrictAsync(
            AwsBootstrapCredentials.CreateSecret(new ImmutableCredentials(AccessKey, SecretKey, null), "us-east-1"));

        status.Should().Be(System.Net.HttpStatusCode.Created, body);
    }
}
