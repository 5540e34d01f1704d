using System.Text;
using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Auth;

/// <summary>
/// Reads the Kubernetes protobuf encoding (<c>application/vnd.kubernetes.protobuf</c>) of the
/// request kinds the auth hooks serve: kubectl sends built-in kinds that way (<c>auth can-i</c>
/// posts a SelfSubjectAccessReview, <c>create token</c> a TokenRequest). A body is the magic
/// <c>k8s\0</c> followed by a runtime.Unknown whose typeMeta names the kind and whose raw bytes
/// are the object; field numbers are those of k8s.io/api's generated.proto files.
/// </summary>
public static class AuthProtobufBodies
{
    private enum Wire { String, Int64, Bool, Message }

    private sealed record Field(string Name, Wire Type, bool Repeated = false, Schema? Message = null);

    private sealed class Schema(params (int Number, Field Field)[] fields)
    {
        public IReadOnlyDictionary<int, Field> Fields { get; } = fields.ToDictionary(f => f.Number, f => f.Field);
    }

    private static readonly byte[] Magic = [0x6b, 0x38, 0x73, 0x00];

    private static readonly Schema TypeMeta = new((1, new("apiVersion", Wire.String)), (2, new("kind", Wire.String)));
    private static readonly Schema Unknown = new((1, new("typeMeta", Wire.Message, Message: TypeMeta)), (2, new("raw", Wire.Message)));
    private static readonly Schema ObjectMeta = new((1, new("name", Wire.String)), (2, new("generateName", Wire.String)),
        (3, new("namespace", Wire.String)));
    private static readonly Schema ResourceAttributes = new(
        (1, new("namespace", Wire.String)), (2, new("verb", Wire.String)), (3, new("group", Wire.String)),
        (4, new("version", Wire.String)), (5, new("resource", Wire.String)), (6, new("subresource", Wire.String)),
        (7, new("name", Wire.String)));
    private static readonly Schema NonResourceAttributes = new((1, new("path", Wire.String)), (2, new("verb", Wire.String)));
    private static readonly Schema SelfAccessSpec = new(
        (1, new("resourceAttributes", Wire.Message, Message: ResourceAttributes)),
        (2, new("nonResourceAttributes", Wire.Message, Message: NonResourceAttributes)));
    private static readonly Schema SubjectAccessSpec = new(
        (1, new("resourceAttributes", Wire.Message, Message: ResourceAttributes)),
        (2, new("nonResourceAttributes", Wire.Message, Message: NonResourceAttributes)),
        (3, new("user", Wire.String)), (4, new("groups", Wire.String, Repeated: true)), (6, new("uid", Wire.String)));
    private static readonly Schema RulesSpec = new((1, new("namespace", Wire.String)));
    private static readonly Schema BoundObjectReference = new((1, new("kind", Wire.String)), (2, new("apiVersion", Wire.String)),
        (3, new("name", Wire.String)), (4, new("uid", Wire.String)));
    private static readonly Schema TokenRequestSpec = new((1, new("audiences", Wire.String, Repeated: true)),
        (3, new("boundObjectRef", Wire.Message, Message: BoundObjectReference)), (4, new("expirationSeconds", Wire.Int64)));

    private static readonly Dictionary<string, Schema> SpecByKind = new(StringComparer.Ordinal)
    {
        ["SelfSubjectAccessReview"] = SelfAccessSpec,
        ["SubjectAccessReview"] = SubjectAccessSpec,
        ["LocalSubjectAccessReview"] = SubjectAccessSpec,
        ["SelfSubjectRulesReview"] = RulesSpec,
        ["SelfSubjectReview"] = new Schema(),
        ["TokenRequest"] = TokenRequestSpec,
    };

    /// <summary>True when <paramref name="contentType"/> is the Kubernetes protobuf media type.</summary>
    public static bool IsProtobuf(string? contentType) =>
        contentType?.StartsWith("application/vnd.kubernetes.protobuf", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The object a protobuf body holds, as JSON; null when the kind is not one this class knows.</summary>
    /// <exception cref="FormatException">The body is not a well-formed Kubernetes protobuf message.</exception>
    public static JsonObject? Decode(ReadOnlySpan<byte> body)
    {
        if (body.Length < Magic.Length || !body[..Magic.Length].SequenceEqual(Magic))
            throw new FormatException("the body does not start with the Kubernetes protobuf prefix");
        var envelope = body[Magic.Length..].ToArray();
        var typeMeta = new JsonObject();
        byte[]? raw = null;
        foreach (var (number, value) in Fields(envelope))
        {
            if (number == 1 && value is byte[] typeBytes)
                typeMeta = Read(typeBytes, TypeMeta);
            else if (number == 2 && value is byte[] rawBytes)
                raw = rawBytes;
        }
        var kind = (string?)typeMeta["kind"];
        if (kind is null || !SpecByKind.TryGetValue(kind, out var spec))
            return null;
        var obj = Read(raw ?? [], new Schema((1, new("metadata", Wire.Message, Message: ObjectMeta)), (2, new("spec", Wire.Message, Message: spec))));
        obj["apiVersion"] = typeMeta["apiVersion"]?.DeepClone();
        obj["kind"] = kind;
        return obj;
    }

    private static JsonObject Read(byte[] message, Schema schema)
    {
        var result = new JsonObject();
        foreach (var (number, value) in Fields(message))
        {
            if (!schema.Fields.TryGetValue(number, out var field))
                continue;
            JsonNode? node = (field.Type, value) switch
            {
                (Wire.String, byte[] bytes) => JsonValue.Create(Encoding.UTF8.GetString(bytes)),
                (Wire.Int64, ulong varint) => JsonValue.Create((long)varint),
                (Wire.Bool, ulong varint) => JsonValue.Create(varint != 0),
                (Wire.Message, byte[] bytes) => Read(bytes, field.Message ?? new Schema()),
                _ => throw new FormatException($"field {field.Name} has an unexpected wire type"),
            };
            if (field.Repeated)
            {
                if (result[field.Name] is not JsonArray array)
                    result[field.Name] = array = [];
                array.Add(node);
            }
            else
            {
                result[field.Name] = node;
            }
        }
        return result;
    }

    /// <summary>The fields of one message: varints as ulong, length-delimited fields as bytes.</summary>
    private static IEnumerable<(int Number, object Value)> Fields(byte[] message)
    {
        var at = 0;
        while (at < message.Length)
        {
            var key = Varint(message, ref at);
            var number = (int)(key >> 3);
            switch (key & 7)
            {
                case 0:
                    yield return (number, Varint(message, ref at));
                    break;
                case 2:
                    var length = (int)Varint(message, ref at);
                    if (length < 0 || at + length > message.Length)
                        throw new FormatException("a length-delimited field runs past the end of the message");
                    yield return (number, message.AsSpan(at, length).ToArray());
                    at += length;
                    break;
                case 1:
                    at += 8;
                    break;
                case 5:
                    at += 4;
                    break;
                default:
                    throw new FormatException($"unsupported protobuf wire type {key & 7}");
            }
        }
    }

    private static ulong Varint(byte[] message, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (at >= message.Length)
                throw new FormatException("a varint runs past the end of the message");
            var b = message[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
                return value;
        }
        throw new FormatException("a varint is longer than 10 bytes");
    }
}
