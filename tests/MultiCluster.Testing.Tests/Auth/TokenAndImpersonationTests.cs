using MultiCluster.Testing.ApiServer.Auth;

namespace MultiCluster.Testing.Tests.Auth;

public sealed class TokenRegistryTests
{
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Minted_token_authenticates_with_system_authenticated_added()
    {
        var registry = new TokenRegistry(() => _now);
        var token = registry.Mint("jane", ["devs"]);
        registry.Authenticate(token)!.Groups.Should().Equal("devs", AuthUser.Authenticated);
        registry.Authenticate(token + "x").Should().BeNull();
        registry.Authenticate("").Should().BeNull();
    }

    [Fact]
    public void Tokens_expire_on_the_supplied_clock_and_can_be_revoked_or_unbound()
    {
        var registry = new TokenRegistry(() => _now);
        var shortLived = registry.Mint("jane", lifetime: TimeSpan.FromMinutes(10));
        var revoked = registry.Mint("bob");
        var bound = true;
        var boundToken = registry.Register("bound-token", new AuthUser("sa", []), null, () => bound);
        _now += TimeSpan.FromMinutes(9);
        registry.Authenticate(shortLived).Should().NotBeNull();
        _now += TimeSpan.FromMinutes(1);
        registry.Authenticate(shortLived).Should().BeNull();
        registry.Revoke(revoked).Should().BeTrue();
        registry.Authenticate(revoked).Should().BeNull();
        registry.Authenticate(boundToken).Should().NotBeNull();
        bound = false;
        registry.Authenticate(boundToken).Should().BeNull();
    }
}

public sealed class ImpersonationTests
{
    private static readonly AuthUser Bob = new("bob", [AuthUser.Authenticated]);

    private static Func<AccessRequest, AccessDecision> Permitting(params string[] resources) =>
        r => new AccessDecision(resources.Contains($"{r.Resource}/{r.Name}"), "");

    [Fact]
    public void Allowed_impersonation_runs_as_the_user_with_groups_and_system_authenticated()
    {
        var result = Impersonation.Apply(Bob, "jane", ["devs"], null, Permitting("users/jane", "groups/devs"));
        result.User!.Name.Should().Be("jane");
        result.User.Groups.Should().Equal("devs", AuthUser.Authenticated);
    }

    [Fact]
    public void Missing_group_right_is_forbidden_with_the_real_message()
    {
        var result = Impersonation.Apply(Bob, "jane", ["admins"], null, Permitting("users/jane"));
        result.StatusCode.Should().Be(403);
        result.ErrorStatus!["message"]!.GetValue<string>().Should().Be(
            "groups \"admins\" is forbidden: User \"bob\" cannot impersonate resource \"groups\" in API group \"\" at the cluster scope");
    }

    [Fact]
    public void Service_account_names_check_the_serviceaccounts_resource_and_get_its_groups()
    {
        var checkedRequests = new List<AccessRequest>();
        var result = Impersonation.Apply(Bob, "system:serviceaccount:ops:robot", [], null, r =>
        {
            checkedRequests.Add(r);
            return new AccessDecision(true, "");
        });
        checkedRequests.Should().ContainSingle().Which.Should().Match<AccessRequest>(r =>
            r.Resource == "serviceaccounts" && r.Namespace == "ops" && r.Name == "robot" && r.Verb == "impersonate");
        result.User!.Groups.Should().Equal("system:serviceaccounts", "system:serviceaccounts:ops", AuthUser.Authenticated);
    }

    [Fact]
    public void Groups_without_a_user_are_refused()
    {
        var result = Impersonation.Apply(Bob, null, ["devs"], null, Permitting("groups/devs"));
        result.Succeeded.Should().BeFalse();
        result.StatusCode.Should().Be(500);
    }
}
