using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Federation;

/// <summary>
/// Maps KubeFed's <c>types.kubefed.io/v1beta1</c> <c>Federated&lt;Kind&gt;</c> documents, as they are,
/// onto <see cref="WorkloadDefinition"/>: <c>spec.template</c> (named and namespaced like the
/// federated object, as KubeFed does), <c>spec.placement.clusters[].name</c> or, when no cluster
/// list is given, <c>spec.placement.clusterSelector</c> (matchLabels and matchExpressions; an empty
/// selector picks every cluster), and <c>spec.overrides[].clusterOverrides[]</c> (JSON pointers; op
/// defaults to replace, and they apply as KubeFed applied them: see <see cref="FleetOverrideMode.KubeFed"/>).
/// Anything else is refused with the field it does not understand.
/// </summary>
public static class KubeFedReader
{
    public const string Group = "types.kubefed.io";
    public const string SupportedApiVersion = Group + "/v1beta1";
    private const string KindPrefix = "Federated";

    private static readonly string[] SpecFields = ["template", "placement", "overrides", "retainReplicas"];

    /// <summary>True for objects of KubeFed's types group (which <see cref="Read"/> must then accept or refuse).</summary>
    public static bool IsKubeFed(KubeObject obj) => obj.Group == Group;

    /// <summary>The workload a Federated&lt;Kind&gt; document describes; throws <see cref="FleetInputException"/> (KubeFedDocumentInvalid).</summary>
    public static WorkloadDefinition Read(KubeObject document)
    {
        var source = document.Origin is { } origin ? $"{WorkloadDefinition.Describe(document)} ({origin})" : WorkloadDefinition.Describe(document);
        if (document.ApiVersion != SupportedApiVersion)
            throw Invalid(source, $"has apiVersion {document.ApiVersion}; only {SupportedApiVersion} is understood.");
        if (!document.Kind.StartsWith(KindPrefix, StringComparison.Ordinal) || document.Kind.Length == KindPrefix.Length)
            throw Invalid(source, $"has kind {document.Kind}; KubeFed's federated kinds are named Federated<Kind>.");
        if (document.Json["spec"] is not JsonObject spec) throw Invalid(source, "has no spec object.");
        RefuseUnknown(source, "spec", spec, SpecFields);
        if (spec["retainReplicas"] is JsonValue retain && retain.GetValueKind() == JsonValueKind.True)
            throw Invalid(source, "sets spec.retainReplicas: true, which leaves replicas to each cluster; this module applies the template's replicas. Remove it or set it to false.");

        return new WorkloadDefinition
        {
            Template = ReadTemplate(document, spec, source),
            Placement = KubeFedPlacementReader.Read(spec, source),
            Overrides = ReadOverrides(spec, source),
            Source = source,
        };
    }

    private static KubeObject ReadTemplate(KubeObject document, JsonObject spec, string source)
    {
        if (spec["template"] is not JsonObject template) throw Invalid(source, "has no spec.template object.");
        var target = new KubeObject((JsonObject)template.DeepClone(), document.Origin);
        var kind = document.Kind[KindPrefix.Length..];
        if (target.Kind.Length == 0) target.Kind = kind;
        else if (target.Kind != kind) throw Invalid(source, $"has spec.template.kind {target.Kind}, but a {document.Kind} federates {kind}.");
        if (target.ApiVersion.Length == 0)
        {
            target.ApiVersion = KnownKinds.ApiVersionOf(kind) ?? throw Invalid(source,
                $"federates {kind}, whose apiVersion is not known; add spec.template.apiVersion (known without it: {string.Join(", ", KnownKinds.Names)}).");
        }

        // KubeFed names the object after the federated resource; a FederatedNamespace federates its own namespace.
        if (kind == "Namespace" && target.ApiVersion == "v1")
        {
            target.Name = document.Namespace ?? document.Name;
            target.Namespace = null;
        }
        else
        {
            target.Name = document.Name;
            target.Namespace = KnownKinds.IsClusterScoped(kind) ? null : document.Namespace;
        }
        return target;
    }

    private static List<ClusterOverride> ReadOverrides(JsonObject spec, string source)
    {
        var result = new List<ClusterOverride>();
        if (spec["overrides"] is null) return result;
        if (spec["overrides"] is not JsonArray overrides) throw Invalid(source, "has a spec.overrides that is not a list.");
        foreach (var item in overrides)
        {
            if (item is not JsonObject entry) throw Invalid(source, "has an entry in spec.overrides that is not an object.");
            RefuseUnknown(source, "spec.overrides[]", entry, ["clusterName", "clusterOverrides"]);
            var cluster = Text(entry["clusterName"]);
            if (string.IsNullOrWhiteSpace(cluster)) throw Invalid(source, "has an entry in spec.overrides without clusterName.");
            if (entry["clusterOverrides"] is not JsonArray operations)
                throw Invalid(source, $"has no clusterOverrides list for cluster '{cluster}' in spec.overrides.");

            var parsed = new List<OverrideOperation>();
            foreach (var operationNode in operations)
            {
                if (operationNode is not JsonObject operation) throw Invalid(source, $"has a clusterOverrides item for '{cluster}' that is not an object.");
                RefuseUnknown(source, "clusterOverrides[]", operation, ["op", "path", "value"]);
                var opText = Text(operation["op"]);
                var op = OverrideOperation.ParseOp(opText)
                         ?? throw Invalid(source, $"has the op '{opText}' in the overrides for '{cluster}'; KubeFed's ops are add, remove and replace.");
                var path = Text(operation["path"]) ?? throw Invalid(source, $"has a clusterOverrides item for '{cluster}' without a path.");
                parsed.Add(new OverrideOperation(op, path, operation["value"]?.DeepClone()));
            }
            result.Add(new ClusterOverride(cluster, parsed, FleetOverrideMode.KubeFed));
        }
        return result;
    }

    private static void RefuseUnknown(string source, string where, JsonObject map, string[] known) =>
        KubeFedPlacementReader.RefuseUnknown(source, where, map, known);

    private static string? Text(JsonNode? node) => KubeFedPlacementReader.Text(node);

    private static FleetInputException Invalid(string source, string problem) => KubeFedPlacementReader.Invalid(source, problem);
}
