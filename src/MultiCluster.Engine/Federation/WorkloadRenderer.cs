using System.Text.Json.Nodes;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Federation;

/// <summary>
/// Renders planned workloads instead of applying them: per cluster (what <c>-OutputPath</c> writes,
/// one file per cluster), or as the Karmada resource template, PropagationPolicy and OverridePolicy
/// that make a Karmada control plane place the same objects (<c>-As Karmada</c>).
/// </summary>
public static class WorkloadRenderer
{
    public const string KarmadaPolicyApiVersion = "policy.karmada.io/v1alpha1";

    /// <summary>What <see cref="FleetManifest.Cluster"/> says for Karmada output, which goes to the Karmada API server.</summary>
    public const string KarmadaTarget = "karmada";

    /// <summary>
    /// One manifest per (cluster, workload). With <paramref name="outputDirectory"/>, writes
    /// <c>&lt;cluster&gt;.yaml</c> there for each cluster (every workload of that cluster, as one
    /// multi-document file) and sets each manifest's Path.
    /// </summary>
    public static IReadOnlyList<FleetManifest> RenderClusters(IReadOnlyList<WorkloadPlan> plans, string? outputDirectory = null)
    {
        var byCluster = plans.SelectMany(p => p.Work).GroupBy(w => w.Cluster.Name, StringComparer.Ordinal);
        var manifests = new List<FleetManifest>();
        foreach (var cluster in byCluster)
        {
            var objects = cluster.Select(w => w.Object).ToList();
            manifests.AddRange(ManifestWriter.Render(cluster.Key, objects, outputDirectory));
        }
        return manifests;
    }

    /// <summary>
    /// The Karmada equivalent of <paramref name="plans"/>: each workload's labelled template, a
    /// PropagationPolicy (ClusterPropagationPolicy for cluster-scoped kinds) selecting it, and an
    /// OverridePolicy (ClusterOverridePolicy) with one plaintext rule per cluster that has overrides.
    /// With <paramref name="outputDirectory"/>, writes them to <c>karmada.yaml</c> there.
    /// </summary>
    public static IReadOnlyList<FleetManifest> RenderKarmada(IReadOnlyList<WorkloadPlan> plans, string? outputDirectory = null) =>
        ManifestWriter.Render(KarmadaTarget, plans.SelectMany(ToKarmada).ToList(), outputDirectory);

    /// <summary>The Karmada objects for one workload: template, propagation policy, and override policy when there are overrides.</summary>
    public static IReadOnlyList<KubeObject> ToKarmada(WorkloadPlan plan)
    {
        var template = plan.LabelledTemplate;
        var clusterScoped = KnownKinds.IsClusterScoped(template.Kind) || ObjectScope.LooksClusterScoped(template, new Dictionary<(string, string), bool>());
        var policyName = $"{plan.Name}-{template.Kind.ToLowerInvariant()}";
        var selectors = new JsonArray(new JsonObject
        {
            ["apiVersion"] = template.ApiVersion,
            ["kind"] = template.Kind,
            ["name"] = template.Name,
        });

        var objects = new List<KubeObject> { template };
        var propagation = Policy(clusterScoped ? "ClusterPropagationPolicy" : "PropagationPolicy", policyName, template, plan.Name);
        propagation.Json["spec"] = new JsonObject
        {
            ["resourceSelectors"] = selectors.DeepClone(),
            ["placement"] = Placement(plan),
        };
        objects.Add(propagation);

        var rules = new JsonArray();
        foreach (var work in plan.Work.Where(w => w.Overrides.Count > 0))
        {
            var plaintext = new JsonArray();
            foreach (var operation in work.Overrides)
            {
                var overrider = new JsonObject { ["path"] = operation.Path, ["operator"] = operation.Op.ToString().ToLowerInvariant() };
                // Karmada: "Must be empty when operator is Remove."
                if (operation.Op != OverrideOp.Remove) overrider["value"] = operation.Value?.DeepClone();
                plaintext.Add(overrider);
            }
            rules.Add(new JsonObject
            {
                ["targetCluster"] = new JsonObject { ["clusterNames"] = new JsonArray(work.Cluster.Name) },
                ["overriders"] = new JsonObject { ["plaintext"] = plaintext },
            });
        }
        if (rules.Count > 0)
        {
            var overridePolicy = Policy(clusterScoped ? "ClusterOverridePolicy" : "OverridePolicy", policyName, template, plan.Name);
            overridePolicy.Json["spec"] = new JsonObject { ["resourceSelectors"] = selectors.DeepClone(), ["overrideRules"] = rules };
            objects.Add(overridePolicy);
        }
        return objects;
    }

    // A placement by labels alone stays a label selector, so clusters that join Karmada with those
    // labels get the workload too; anything naming clusters becomes the resolved list of names.
    private static JsonObject Placement(WorkloadPlan plan)
    {
        var placement = plan.Definition.Placement;
        var labelsOnly = (placement.Names is null || placement.Names.Count == 0) && (placement.Clusters is null || placement.Clusters.Count == 0);
        var everywhere = placement.Names is { Count: > 0 } names && names.All(n => n.Trim() == "*") && string.IsNullOrWhiteSpace(placement.LabelSelector)
                         && (placement.Clusters is null || placement.Clusters.Count == 0);
        // No cluster affinity in Karmada means every member cluster.
        if (everywhere) return new JsonObject();
        if (labelsOnly && !string.IsNullOrWhiteSpace(placement.LabelSelector))
        {
            return new JsonObject { ["clusterAffinity"] = new JsonObject { ["labelSelector"] = LabelSelectorJson(LabelSelector.Parse(placement.LabelSelector)) } };
        }
        return new JsonObject
        {
            ["clusterAffinity"] = new JsonObject { ["clusterNames"] = new JsonArray(plan.Work.Select(w => (JsonNode?)JsonValue.Create(w.Cluster.Name)).ToArray()) },
        };
    }

    private static JsonObject LabelSelectorJson(LabelSelector selector)
    {
        var matchLabels = new JsonObject();
        var expressions = new JsonArray();
        foreach (var requirement in selector.Requirements)
        {
            if (requirement.Operator == LabelOperator.Equals && !matchLabels.ContainsKey(requirement.Key))
            {
                matchLabels[requirement.Key] = requirement.Values[0];
                continue;
            }
            var (op, values) = requirement.Operator switch
            {
                LabelOperator.Equals or LabelOperator.In => ("In", requirement.Values),
                LabelOperator.NotEquals or LabelOperator.NotIn => ("NotIn", requirement.Values),
                LabelOperator.Exists => ("Exists", (IReadOnlyList<string>)[]),
                _ => ("DoesNotExist", (IReadOnlyList<string>)[]),
            };
            var expression = new JsonObject { ["key"] = requirement.Key, ["operator"] = op };
            if (values.Count > 0) expression["values"] = new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
            expressions.Add(expression);
        }
        var result = new JsonObject();
        if (matchLabels.Count > 0) result["matchLabels"] = matchLabels;
        if (expressions.Count > 0) result["matchExpressions"] = expressions;
        return result;
    }

    private static KubeObject Policy(string kind, string name, KubeObject template, string workload)
    {
        var policy = new KubeObject(new JsonObject { ["apiVersion"] = KarmadaPolicyApiVersion, ["kind"] = kind, ["metadata"] = new JsonObject() })
        {
            Name = name,
        };
        if (!kind.StartsWith("Cluster", StringComparison.Ordinal)) policy.Namespace = template.Namespace;
        return WorkloadPlanner.Label(policy, workload);
    }
}
