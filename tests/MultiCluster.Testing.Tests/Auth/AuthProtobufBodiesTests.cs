using System.Text;
using MultiCluster.Testing.ApiServer.Auth;

namespace MultiCluster.Testing.Tests.Auth;

public sealed class AuthProtobufBodiesTests
{
    private static byte[] Bytes(int field, byte[] value) => [(byte)(field << 3 | 2), (byte)value.Length, .. value];

    private static byte[] Text(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    private static byte[] Envelope(string apiVersion, string kind, byte[] raw) =>
        [0x6b, 0x38, 0x73, 0x00, .. Bytes(1, [.. Text(1, apiVersion), .. Text(2, kind)]), .. Bytes(2, raw)];

    [Fact]
    public void Decodes_a_self_subject_access_review_as_kubectl_sends_it()
    {
        byte[] attributes = [.. Text(1, "default"), .. Text(2, "get"), .. Text(5, "pods")];
        var body = Envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview", [.. Bytes(1, []), .. Bytes(2, Bytes(1, attributes))]);
        var review = AuthProtobufBodies.Decode(body)!;
        review.ToJsonString().Should().Be(
            """{"metadata":{},"spec":{"resourceAttributes":{"namespace":"default","verb":"get","resource":"pods"}},"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview"}""");
    }

    [Fact]
    public void Decodes_token_request_varints_and_repeated_strings()
    {
        byte[] spec = [.. Text(1, "a"), .. Text(1, "b"), 4 << 3, 0xb0, 0x09];
        var request = AuthProtobufBodies.Decode(Envelope("authentication.k8s.io/v1", "TokenRequest", Bytes(2, spec)))!;
        request["spec"]!.ToJsonString().Should().Be("""{"audiences":["a","b"],"expirationSeconds":1200}""");
    }

    [Fact]
    public void Unknown_kinds_give_null_and_malformed_bodies_throw()
    {
        AuthProtobufBodies.Decode(Envelope("v1", "Pod", [])).Should().BeNull();
        FluentActions.Invoking(() => AuthProtobufBodies.Decode("{}"u8)).Should().Throw<FormatException>();
        FluentActions.Invoking(() => AuthProtobufBodies.Decode([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x7f])).Should().Throw<FormatException>();
    }
}
