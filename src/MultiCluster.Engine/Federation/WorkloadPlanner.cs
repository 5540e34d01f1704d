using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Federation;

/// <summary>The rendered object for one placed cluster, and the overrides that shaped it.</summary>
public sealed record ClusterWork(FleetCluster Cluster, KubeObject Object, IReadOnlyList<OverrideOperation> Overrides)
{
    public override string ToString() => $"{Cluster.Name}: {Object.Reference}";
}

/// <summary>A workload resolved against the fleet: what goes to which cluster. Contacts no cluster.</summary>
public sealed class WorkloadPlan
{
    internal WorkloadPlan(WorkloadDefinition definition, IReadOnlyList<FleetCluster> fleet, IReadOnlyList<ClusterWork> work,
        IReadOnlyList<FleetClusterException> notFound, IReadOnlyList<string> unusedOverrides, IReadOnlyList<string> addedMembers)
    {
        AddedMembers = addedMembers;
        Definition = definition;
        Fleet = fleet;
        Work = work;
        NotFound = notFound;
        UnusedOverrides = unusedOverrides;
    }

    public WorkloadDefinition Definition { get; }

    public string Name => Definition.Name;

    /// <summary>The fleet the placement was resolved in (prune and drift look at the clusters outside the placement).</summary>
    public IReadOnlyList<FleetCluster> Fleet { get; }

    /// <summary>One rendered object per placed cluster, in fleet order.</summary>
    public IReadOnlyList<ClusterWork> Work { get; }

    public IReadOnlyList<FleetCluster> PlacedClusters => Work.Select(w => w.Cluster).ToList();

    /// <summary>Cluster names the placement lists that the fleet lacks (ClusterNotFound), for the cmdlet to report as non-terminating errors.</summary>
    public IReadOnlyList<FleetClusterException> NotFound { get; }

    /// <summary>Override cluster names or patterns that match no placed cluster (KubeFed ignores them too), for a warning.</summary>
    public IReadOnlyList<string> UnusedOverrides { get; }

    /// <summary>
    /// What KubeFed-mode overrides added because the template lacked the member they replace
    /// ("cluster: replace /path added the absent member"), for -Verbose.
    /// </summary>
    public IReadOnlyList<string> AddedMembers { get; }

    /// <summary>The template with the workload's labels, as it goes to clusters without overrides.</summary>
    public KubeObject LabelledTemplate => WorkloadPlanner.Label(Definition.Template.Clone(), Definition.Name);
}

/// <summary>
/// Resolves workloads against a fleet and renders each placed cluster's object. Every input
/// problem is a <see cref="FleetInputException"/> naming the document, cluster and path, raised
/// here, before any cluster is contacted.
/// </summary>
public static class WorkloadPlanner
{
    /// <summary>
    /// What Publish-FleetWorkload starts with: reads the objects (templates or KubeFed documents,
    /// see <see cref="WorkloadReader"/>) and plans every one, so any bad input in any of them throws
    /// before a single cluster is contacted.
    /// </summary>
    public static IReadOnlyList<WorkloadPlan> Plan(IReadOnlyList<KubeObject> objects, ClusterPlacement placement,
        IReadOnlyList<ClusterOverride>? overrides, IReadOnlyList<FleetCluster> fleet) =>
        Plan(WorkloadReader.Read(objects, placement, overrides), fleet);

    /// <summary>Plans several workloads at once; refuses the same (kind, namespace, name) twice.</summary>
    public static IReadOnlyList<WorkloadPlan> Plan(IReadOnlyList<WorkloadDefinition> definitions, IReadOnlyList<FleetCluster> fleet)
    {
        var plans = definitions.Select(d => Plan(d, fleet)).ToList();
        var duplicate = definitions.GroupBy(d => (d.Template.Group, d.Template.Kind, d.Template.Namespace, d.Name)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new FleetInputException(FederationErrorIds.WorkloadDuplicate, FleetErrorCategory.InvalidData, duplicate.First().Source,
                $"The workload {duplicate.First().Template.Reference} is given more than once ({string.Join("; ", duplicate.Select(d => d.Source))}).");
        }
        return plans;
    }

    public static WorkloadPlan Plan(WorkloadDefinition definition, IReadOnlyList<FleetCluster> fleet)
    {
        ValidateTemplate(definition);
        ValidateOverrides(definition);

        var placement = definition.Placement;
        if (placement.IsEmpty) throw Empty(definition, "names no cluster");
        var selection = ClusterSelector.Select(fleet, placement);
        if (selection.Clusters.Count == 0)
        {
            var missing = selection.NotFound.Count > 0 ? $" ({string.Join(" ", selection.NotFound.Select(e => e.Message))})" : "";
            throw Empty(definition, $"({placement}) selects no cluster of the fleet of {fleet.Count}{missing}");
        }

        var patterns = definition.Overrides.Select(o => (Override: o, Pattern: new WildcardName(o.Cluster))).ToList();
        var work = new List<ClusterWork>();
        var added = new List<string>();
        foreach (var cluster in selection.Clusters)
        {
            var rendered = definition.Template.Clone();
            var applied = new List<OverrideOperation>();
            foreach (var (clusterOverride, _) in patterns.Where(p => p.Pattern.IsMatch(cluster)))
            {
                added.AddRange(ApplyOverride(definition, rendered, clusterOverride, cluster.Name));
                applied.AddRange(clusterOverride.Operations);
            }
            // Labels go on after the overrides, so no override can drop what prune and drift rely on.
            work.Add(new ClusterWork(cluster, Label(rendered, definition.Name), applied));
        }
        // Overrides of clusters outside the placement are checked against the template too, so a
        // typo surfaces now rather than when the cluster joins the placement.
        var unused = patterns.Where(p => !selection.Clusters.Any(c => p.Pattern.IsMatch(c))).Select(p => p.Override).ToList();
        foreach (var clusterOverride in unused) ApplyOverride(definition, definition.Template.Clone(), clusterOverride, clusterOverride.Cluster);
        return new WorkloadPlan(definition, fleet, work, selection.NotFound, unused.Select(o => o.Cluster).ToList(), added);
    }

    internal static KubeObject Label(KubeObject obj, string workload)
    {
        obj.SetLabel(KubeObject.ManagedByLabel, KubeObject.ManagedByValue);
        obj.SetLabel(WorkloadDefinition.WorkloadLabel, workload);
        return obj;
    }

    private static void ValidateTemplate(WorkloadDefinition definition)
    {
        var template = definition.Template;
        var missing = new List<string>();
        if (template.ApiVersion.Length == 0) missing.Add("apiVersion");
        if (template.Kind.Length == 0) missing.Add("kind");
        if (template.Name.Length == 0) missing.Add("metadata.name");
        if (missing.Count > 0)
        {
            throw new FleetInputException(FleetErrorIds.ManifestInvalid, FleetErrorCategory.InvalidData, definition.Source,
                $"The workload template {definition.Source} has no {string.Join(", ", missing)}.",
                recommendedAction: "A template is one Kubernetes object with apiVersion, kind and metadata.name.");
        }
        if (LabelRules.ValueProblem(definition.Name) is { } problem)
        {
            throw new FleetInputException(FleetErrorIds.ManifestInvalid, FleetErrorCategory.InvalidData, definition.Source,
                $"The workload {definition.Source} cannot be labelled {WorkloadDefinition.WorkloadLabel}={definition.Name}: {problem}.",
                recommendedAction: "Use a name of at most 63 characters.");
        }
    }

    private static void ValidateOverrides(WorkloadDefinition definition)
    {
        foreach (var clusterOverride in definition.Overrides)
        {
            if (string.IsNullOrWhiteSpace(clusterOverride.Cluster))
                throw WorkloadOverrideReader.Invalid(definition.Source, $"An override in {definition.Source} names no cluster.");
            if (clusterOverride.Operations.Count == 0)
                throw WorkloadOverrideReader.Invalid($"{definition.Source}: {clusterOverride.Cluster}",
                    $"The override for cluster '{clusterOverride.Cluster}' in {definition.Source} is empty; give at least one operation or leave the cluster out.");
        }
    }

    /// <returns>One note per operation that added an absent member (KubeFed mode only).</returns>
    private static List<string> ApplyOverride(WorkloadDefinition definition, KubeObject target, ClusterOverride clusterOverride, string cluster)
    {
        var added = new List<string>();
        foreach (var operation in clusterOverride.Operations)
        {
            if (IdentityPaths.Contains(operation.Path.TrimEnd('/')))
            {
                throw new FleetInputException(FederationErrorIds.OverrideInvalid, FleetErrorCategory.InvalidArgument,
                    $"{definition.Source}: {cluster}: {operation.Path}",
                    $"The override '{operation}' for cluster '{cluster}' in {definition.Source} would change which object it is (kind, name or namespace); overrides change an object's content, not its identity. Nothing was changed.",
                    recommendedAction: "Publish a separate workload for a differently named object, and leave kind, metadata/name and metadata/namespace out of -Override.");
            }
            try
            {
                if (JsonPointer.Apply(target.Json, operation.Op, operation.Path, operation.Value, clusterOverride.Mode))
                    added.Add($"{definition.Source}: the override '{operation}' for cluster '{cluster}' added {operation.Path}, which the template lacks (KubeFed's replace adds an absent member).");
            }
            catch (Exception ex) when (ex is JsonPointerException or FormatException)
            {
                // A Secret's values stay out of the message; any other value helps find the line.
                var value = operation.Op == OverrideOp.Remove || definition.Template.Kind == "Secret" ? "" : $" (value {ValueText(operation.Value)})";
                throw new FleetInputException(FederationErrorIds.OverrideInvalid, FleetErrorCategory.InvalidArgument,
                    $"{definition.Source}: {cluster}: {operation.Path}",
                    $"The override '{operation}'{value} for cluster '{cluster}' in {definition.Source} does not fit the template: {ex.Message}.",
                    ex, clusterOverride.Mode == FleetOverrideMode.KubeFed
                        ? "Check the path against the template (JSON pointer: /spec/template/spec/containers/0/image; ~1 for '/', ~0 for '~'); a replace may add the last member of a path, never its parents or a list item past the end."
                        : "Check the path against the template (JSON pointer: /spec/template/spec/containers/0/image; ~1 for '/', ~0 for '~'); use add for a field the template lacks, or -OverrideMode KubeFed.");
            }
        }
        return added;
    }

    // What names the object on each cluster; KubeFed takes name and namespace from the federated object, never from an override.
    private static readonly HashSet<string> IdentityPaths = new(StringComparer.Ordinal) { "", "/kind", "/metadata", "/metadata/name", "/metadata/namespace" };

    private static string ValueText(System.Text.Json.Nodes.JsonNode? value)
    {
        var text = value?.ToJsonString() ?? "null";
        return text.Length > 80 ? text[..77] + "..." : text;
    }

    private static FleetInputException Empty(WorkloadDefinition definition, string why) =>
        new(PlacementErrorIds.PlacementEmpty, FleetErrorCategory.InvalidArgument, definition.Source,
            $"The placement of {definition.Source} {why}.",
            recommendedAction: "Name clusters (-Cluster, wildcards allowed), select them by label (-Selector), or pipe FleetCluster objects in.");
}
