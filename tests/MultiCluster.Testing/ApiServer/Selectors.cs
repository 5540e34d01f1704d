using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer;

/// <summary>A parsed label selector (equality- and set-based), as <c>?labelSelector=</c> takes it.</summary>
public sealed class LabelSelector
{
    private enum Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist }

    private sealed record Requirement(string Key, Op Operator, IReadOnlyList<string> Values);

    private readonly List<Requirement> requirements;

    private LabelSelector(List<Requirement> requirements) => this.requirements = requirements;

    public static readonly LabelSelector Everything = new([]);

    /// <summary>Parses <c>a=b,c!=d,e in (x,y),f notin (z),g,!h</c>; throws <see cref="ApiStatusException"/> 400 on bad syntax.</summary>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        var result = new List<Requirement>();
        foreach (var term in SplitTerms(text))
        {
            var t = term.Trim();
            if (t.Length == 0) throw Bad(text, "empty requirement");
            if (t.StartsWith('!'))
            {
                result.Add(new Requirement(CheckKey(text, t[1..].Trim()), Op.DoesNotExist, []));
                continue;
            }
            var setMatch = System.Text.RegularExpressions.Regex.Match(t, @"^(\S+)\s+(in|notin)\s*\((.*)\)$");
            if (setMatch.Success)
            {
                var values = setMatch.Groups[3].Value.Split(',').Select(v => v.Trim()).Where(v => v.Length > 0).ToList();
                result.Add(new Requirement(CheckKey(text, setMatch.Groups[1].Value),
                    setMatch.Groups[2].Value == "in" ? Op.In : Op.NotIn, values));
                continue;
            }
            var (key, op, value) = SplitEquality(t);
            if (op is null)
            {
                if (t.Any(char.IsWhiteSpace) || t.Contains('(')) throw Bad(text, $"unable to parse requirement: {t}");
                result.Add(new Requirement(CheckKey(text, t), Op.Exists, []));
                continue;
            }
            result.Add(new Requirement(CheckKey(text, key), op == "!=" ? Op.NotEquals : Op.Equals, [value]));
        }
        return new LabelSelector(result);
    }

    public bool Matches(JsonObject? labels)
    {
        foreach (var r in requirements)
        {
            var present = labels is not null && labels.ContainsKey(r.Key);
            var value = present ? labels![r.Key]?.ToString() ?? "" : null;
            var ok = r.Operator switch
            {
                Op.Equals => present && value == r.Values[0],
                Op.NotEquals => !present || value != r.Values[0],
                Op.In => present && r.Values.Contains(value!),
                Op.NotIn => !present || !r.Values.Contains(value!),
                Op.Exists => present,
                _ => !present,
            };
            if (!ok) return false;
        }
        return true;
    }

    public bool MatchesObject(JsonObject obj) => Matches(obj["metadata"]?["labels"] as JsonObject);

    private static (string Key, string? Op, string Value) SplitEquality(string term)
    {
        foreach (var op in new[] { "!=", "==", "=" })
        {
            var at = term.IndexOf(op, StringComparison.Ordinal);
            if (at > 0) return (term[..at].Trim(), op, term[(at + op.Length)..].Trim());
        }
        return (term, null, "");
    }

    // Commas inside "in (a,b)" belong to the set, not to the requirement list.
    private static IEnumerable<string> SplitTerms(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '(') depth++;
            else if (text[i] == ')') depth--;
            else if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        yield return text[start..];
    }

    private static string CheckKey(string selector, string key)
    {
        if (key.Length == 0 || key.Any(c => char.IsWhiteSpace(c) || c is '=' or '!' or '(' or ')' or ','))
            throw Bad(selector, $"invalid label key \"{key}\"");
        return key;
    }

    private static ApiStatusException Bad(string selector, string why) =>
        ApiStatusException.BadRequest($"unable to parse requirement: {why}; selector: \"{selector}\"");
}

/// <summary>A parsed field selector: <c>metadata.name=x,metadata.namespace!=y</c> and other dotted paths.</summary>
public sealed class FieldSelector
{
    private readonly List<(string Path, bool Equal, string Value)> terms;

    private FieldSelector(List<(string, bool, string)> terms) => this.terms = terms;

    public static readonly FieldSelector Everything = new([]);

    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        var terms = new List<(string, bool, string)>();
        foreach (var raw in text.Split(','))
        {
            var term = raw.Trim();
            var (op, at) = term.IndexOf("!=", StringComparison.Ordinal) is var ne and > 0 ? ("!=", ne)
                : term.IndexOf("==", StringComparison.Ordinal) is var ee and > 0 ? ("==", ee)
                : term.IndexOf('=') is var e and > 0 ? ("=", e) : ("", -1);
            if (at <= 0) throw ApiStatusException.BadRequest($"invalid selector: '{text}'; can't understand '{term}'");
            terms.Add((term[..at].Trim(), op != "!=", term[(at + op.Length)..].Trim()));
        }
        return new FieldSelector(terms);
    }

    // The field labels kube-apiserver converts per kind (pkg/apis/core/v1/conversion.go, apps/v1, batch/v1,
    // certificates/v1); every kind takes metadata.name and metadata.namespace. Events (both APIs, their own
    // mappings in EventConversion) and custom resources (selectableFields) are not checked here.
    private static readonly Dictionary<(string Group, string Plural), string[]> ExtraFieldLabels = new()
    {
        [("", "pods")] = ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork",
            "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName"],
        [("", "nodes")] = ["spec.unschedulable"],
        [("", "namespaces")] = ["status.phase"],
        [("", "secrets")] = ["type"],
        [("", "replicationcontrollers")] = ["status.replicas"],
        [("apps", "replicasets")] = ["status.replicas"],
        [("batch", "jobs")] = ["status.successful"],
        [("certificates.k8s.io", "certificatesigningrequests")] = ["spec.signerName"],
    };

    /// <summary>This selector, or 400 "field label not supported" (the real server's words) for a label the kind does not convert.</summary>
    public FieldSelector SupportedBy(ResourceType type)
    {
        if (type.IsCustom || type.Plural == "events") return this;
        var extra = ExtraFieldLabels.GetValueOrDefault((type.Group, type.Plural), []);
        foreach (var (path, _, _) in terms)
            if (path is not ("metadata.name" or "metadata.namespace") && !extra.Contains(path))
                throw ApiStatusException.BadRequest($"field label not supported: {path}");
        return this;
    }

    /// <summary>The value of <c>metadata.name=</c> when the selector pins one name (a watch of one object).</summary>
    public string? PinnedName => terms.Where(t => t.Path == "metadata.name" && t.Equal).Select(t => t.Value).FirstOrDefault();

    public bool Matches(JsonObject obj)
    {
        foreach (var (path, equal, value) in terms)
        {
            JsonNode? node = obj;
            foreach (var part in path.Split('.'))
                node = node is JsonObject o ? o[part] : null;
            var actual = node switch
            {
                null => "",
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                _ => node.ToJsonString(),
            };
            if ((actual == value) != equal) return false;
        }
        return true;
    }
}
