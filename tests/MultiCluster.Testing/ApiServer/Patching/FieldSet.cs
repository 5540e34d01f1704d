using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Patching;

/// <summary>
/// A set of field paths in structured-merge-diff's FieldsV1 notation: each path element is
/// <c>f:name</c> (field), <c>k:{"name":"x"}</c> (list item by keys), <c>v:"a"</c> (set item) or
/// <c>i:0</c> (index); a node that is both a member and a parent of members carries <c>"."</c>.
/// </summary>
public sealed class FieldSet
{
    private readonly SortedDictionary<string, FieldSet> _children = new(PathElementComparer.Instance);

    /// <summary>True when the path leading to this node is itself in the set.</summary>
    public bool IsMember { get; private set; }

    public IReadOnlyDictionary<string, FieldSet> Children => _children;

    public bool IsEmpty => !IsMember && _children.Count == 0;

    public void Insert(IReadOnlyList<string> path)
    {
        var node = this;
        foreach (var element in path)
        {
            if (!node._children.TryGetValue(element, out var child))
                node._children[element] = child = new FieldSet();
            node = child;
        }
        node.IsMember = true;
    }

    public bool Contains(IReadOnlyList<string> path)
    {
        var node = this;
        foreach (var element in path)
            if (!node._children.TryGetValue(element, out node!)) return false;
        return node.IsMember;
    }

    /// <summary>Every member path, parents before children.</summary>
    public IEnumerable<IReadOnlyList<string>> Paths() => Walk([]);

    private IEnumerable<IReadOnlyList<string>> Walk(List<string> prefix)
    {
        if (IsMember) yield return prefix.ToList();
        foreach (var (element, child) in _children)
        {
            prefix.Add(element);
            foreach (var path in child.Walk(prefix)) yield return path;
            prefix.RemoveAt(prefix.Count - 1);
        }
    }

    public FieldSet Union(FieldSet other) => Combine(p => Contains(p) || other.Contains(p), Paths().Concat(other.Paths()));

    public FieldSet Difference(FieldSet other) => Combine(p => !other.Contains(p), Paths());

    public FieldSet Intersection(FieldSet other) => Combine(other.Contains, Paths());

    private static FieldSet Combine(Func<IReadOnlyList<string>, bool> keep, IEnumerable<IReadOnlyList<string>> candidates)
    {
        var result = new FieldSet();
        foreach (var path in candidates)
            if (keep(path)) result.Insert(path);
        return result;
    }

    /// <summary>The <c>fieldsV1</c> JSON of this set.</summary>
    public JsonObject ToFieldsV1()
    {
        var json = new JsonObject();
        if (IsMember && _children.Count > 0) json["."] = new JsonObject();
        foreach (var (element, child) in _children) json[element] = child.ToFieldsV1();
        return json;
    }

    public static FieldSet FromFieldsV1(JsonObject? fieldsV1)
    {
        var set = new FieldSet();
        if (fieldsV1 is not null) set.Read(fieldsV1, isRoot: true);
        return set;
    }

    private void Read(JsonObject json, bool isRoot)
    {
        if (!isRoot && (json.Count == 0 || json.ContainsKey("."))) IsMember = true;
        foreach (var (element, child) in json)
        {
            if (element == "." || child is not JsonObject childObject) continue;
            var node = new FieldSet();
            node.Read(childObject, isRoot: false);
            _children[element] = node;
        }
    }

    /// <summary>A path as structured-merge-diff prints it in conflict messages: <c>.spec.containers[name="app"].image</c>.</summary>
    public static string Describe(IReadOnlyList<string> path) => string.Concat(path.Select(element => element[..2] switch
    {
        "f:" => "." + element[2..],
        "k:" => "[" + string.Join(",", JsonNode.Parse(element[2..])!.AsObject().Select(p => $"{p.Key}={p.Value?.ToJsonString() ?? "null"}")) + "]",
        "v:" => "[=" + element[2..] + "]",
        "i:" => "[" + element[2..] + "]",
        _ => element,
    }));

    public static string FieldElement(string name) => "f:" + name;

    /// <summary><c>k:{...}</c> with the key fields sorted by name, as structured-merge-diff serializes them.</summary>
    public static string KeyElement(IEnumerable<KeyValuePair<string, JsonNode?>> keys) =>
        "k:" + new JsonObject(keys.OrderBy(k => k.Key, StringComparer.Ordinal)
            .Select(k => KeyValuePair.Create(k.Key, k.Value?.DeepClone()))).ToJsonString(Compact);

    public static string ValueElement(JsonNode? value) => "v:" + (value?.ToJsonString(Compact) ?? "null");

    public static string IndexElement(int index) => "i:" + index;

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>structured-merge-diff's order: fields, then keys, then values, then indexes.</summary>
    private sealed class PathElementComparer : IComparer<string>
    {
        public static readonly PathElementComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            var rank = Rank(x!).CompareTo(Rank(y!));
            if (rank != 0) return rank;
            if (x![0] == 'i' && int.TryParse(x[2..], out var xi) && int.TryParse(y![2..], out var yi)) return xi.CompareTo(yi);
            return string.CompareOrdinal(x, y);
        }

        private static int Rank(string element) => element[0] switch { 'f' => 0, 'k' => 1, 'v' => 2, 'i' => 3, _ => 4 };
    }
}
