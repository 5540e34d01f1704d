using System.Text;
using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Auth;

namespace MultiCluster.Testing.Tests.Auth;

public sealed class AccessReviewTests
{
    private static readonly AuthUser Jane = new("jane", [AuthUser.Authenticated]);

    private static JsonObject Review(string json) => JsonNode.Parse(json)!.AsObject();

    [Fact]
    public void Self_review_reads_resource_attributes_and_answers_with_status()
    {
        var review = Review("""
            {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview",
             "spec":{"resourceAttributes":{"verb":"get","group":"apps","resource":"deployments","namespace":"default","name":"x"}}}
            """);
        AccessReviews.ValidateSelfSubjectAccessReview(review).Should().BeEmpty();
        var request = AccessReviews.RequestOf(review, Jane);
        request.Should().Be(AccessRequest.ForResource(Jane, "get", "apps", "deployments", "default", "x"));
        var answer = AccessReviews.Answer(review, "SelfSubjectAccessReview", new AccessDecision(false, ""));
        answer["status"]!.ToJsonString().Should().Be("""{"allowed":false}""");
        answer["spec"]!["resourceAttributes"]!["name"]!.GetValue<string>().Should().Be("x");
        AccessReviews.Answer(review, "SelfSubjectAccessReview", new AccessDecision(true, "RBAC: ok"))["status"]!
            .ToJsonString().Should().Be("""{"allowed":true,"reason":"RBAC: ok"}""");
    }

    [Fact]
    public void Non_resource_attributes_become_path_requests()
    {
        var review = Review("""{"spec":{"nonResourceAttributes":{"verb":"get","path":"/healthz"}}}""");
        AccessReviews.RequestOf(review, Jane).Should().Be(AccessRequest.ForPath(Jane, "get", "/healthz"));
    }

    [Fact]
    public void Invalid_reviews_are_reported_with_the_real_fields()
    {
        AccessReviews.ValidateSelfSubjectAccessReview(Review("""{"spec":{}}"""))
            .Should().ContainSingle().Which.Field.Should().Be("spec.resourceAttributes");
        AccessReviews.ValidateSubjectAccessReview(Review("""{"spec":{"resourceAttributes":{"verb":"get"}}}"""))
            .Should().ContainSingle().Which.Message.Should().EndWith("at least one of user or group must be specified");
    }

    [Fact]
    public void Subject_review_asks_about_the_named_user_and_groups()
    {
        var review = Review("""{"spec":{"user":"bob","groups":["devs"],"resourceAttributes":{"verb":"list","resource":"pods"}}}""");
        var subject = AccessReviews.SubjectOf(review);
        subject.Name.Should().Be("bob");
        subject.Groups.Should().Equal("devs");
    }

    [Fact]
    public void Rules_review_lists_wildcards_for_masters_and_granted_rules_for_others()
    {
        var authorizer = new RbacAuthorizer(new RbacObjectSet(BootstrapPolicy.Objects()));
        var review = Review("""{"spec":{"namespace":"default"}}""");
        var masters = AccessReviews.AnswerRules(review, new AuthUser("admin", [AuthUser.Masters]), authorizer);
        masters["status"]!["resourceRules"]!.AsArray().Should().ContainSingle();
        var jane = AccessReviews.AnswerRules(review, Jane, authorizer);
        jane["status"]!["resourceRules"]!.ToJsonString().Should().Contain("selfsubjectaccessreviews");
        jane["status"]!["nonResourceRules"]!.ToJsonString().Should().Contain("/version");
    }
}

public sealed class TokenRequestTests
{
    private static readonly JsonObject Robot = JsonNode.Parse(
        """{"metadata":{"name":"robot","namespace":"ops","uid":"1234"}}""")!.AsObject();

    private readonly DateTimeOffset _now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Issued_token_authenticates_as_the_service_account_until_it_expires()
    {
        var clock = _now;
        var registry = new TokenRegistry(() => clock);
        var answer = ServiceAccountTokens.Issue(Robot, null, _now, registry, () => true);
        answer["spec"]!["expirationSeconds"]!.GetValue<long>().Should().Be(3600);
        answer["status"]!["expirationTimestamp"]!.GetValue<string>().Should().Be("2026-03-01T13:00:00Z");
        var token = answer["status"]!["token"]!.GetValue<string>();
        var user = registry.Authenticate(token)!;
        user.Name.Should().Be("system:serviceaccount:ops:robot");
        user.Groups.Should().Equal("system:serviceaccounts", "system:serviceaccounts:ops", "system:authenticated");
        clock = _now.AddHours(1);
        registry.Authenticate(token).Should().BeNull();
    }

    [Fact]
    public void Token_is_a_jwt_with_the_real_claims()
    {
        var answer = ServiceAccountTokens.Issue(Robot, JsonNode.Parse("""{"spec":{"expirationSeconds":600}}""")!.AsObject(),
            _now, new TokenRegistry(() => _now), () => true);
        var parts = answer["status"]!["token"]!.GetValue<string>().Split('.');
        parts.Should().HaveCount(3);
        var payload = parts[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        var claims = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)))!;
        claims["sub"]!.GetValue<string>().Should().Be("system:serviceaccount:ops:robot");
        claims["exp"]!.GetValue<long>().Should().Be(_now.AddMinutes(10).ToUnixTimeSeconds());
        claims["kubernetes.io"]!["serviceaccount"]!["uid"]!.GetValue<string>().Should().Be("1234");
    }

    [Fact]
    public void Too_short_expiration_is_invalid_with_the_real_message()
    {
        ServiceAccountTokens.Validate(JsonNode.Parse("""{"spec":{"expirationSeconds":599}}""")!.AsObject())
            .Should().ContainSingle().Which.Message.Should().Be("Invalid value: 599: may not specify a duration less than 10 minutes");
        ServiceAccountTokens.Validate(JsonNode.Parse("""{"spec":{}}""")!.AsObject()).Should().BeEmpty();
    }
}
