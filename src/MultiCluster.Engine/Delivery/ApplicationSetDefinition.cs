using System.Collections;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Reporting;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Delivery;

/// <summary>What New-FleetApplicationSet was asked for.</summary>
public sealed record ApplicationSetRequest
{
    public required string Name { get; init; }
    public required string RepoUrl { get; init; }
    public string Revision { get; init; } = "HEAD";
    public required string Path { get; init; }
    public required string DestinationNamespace { get; init; }
    public string Project { get; init; } = "default";
    public string ArgoNamespace { get; init; } = DeliveryResourceTypes.ArgoNamespace;

    /// <summary>The selected clusters: the list generator's elements, and the clusters waves are taken from.</summary>
    public required IReadOnlyList<FleetCluster> Clusters { get; init; }

    /// <summary>-Generator Cluster: a cluster generator over the registered cluster Secrets instead of a list.</summary>
    public bool ClusterGenerator { get; init; }

    /// <summary>-Selector, which the cluster generator carries as its label selector over the cluster Secrets.</summary>
    public string? ClusterSelector { get; init; }

    /// <summary>-Parameter: name to one value for every cluster, or to a map of cluster name to value.</summary>
    public IReadOnlyDictionary<string, object?> Parameters { get; init; } = new Dictionary<string, object?>();

    /// <summary>-HelmParameter: Helm value name to (templated) value.</summary>
    public IReadOnlyDictionary<string, string> HelmParameters { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> ValueFiles { get; init; } = [];
    public bool GoTemplate { get; init; }
    public bool AutoSync { get; init; }
    public bool CreateNamespace { get; init; }

    /// <summary>-Wave: the RollingSync steps, in order, as placements over <see cref="Clusters"/>.</summary>
    public IReadOnlyList<ClusterPlacement> Waves { get; init; } = [];
}

/// <summary>
/// Builds the Argo CD ApplicationSet of a request: a list generator whose elements carry cluster,
/// region, the fleet labels and the per-cluster parameters (or a cluster generator selecting the
/// registered cluster Secrets), an Application template deploying to each cluster by name, and a
/// RollingSync strategy from the waves. Refuses, before anything is built, a template that uses a
/// parameter some element lacks.
/// </summary>
public static partial class ApplicationSetDefinition
{
    public const string ApplicationSetLabel = "multicluster.io/applicationset";
    public const string ClusterLabel = "multicluster.io/cluster";

    /// <summary>Keys the elements give their own meaning: the cluster and region, and 'values', which Argo CD's list generator reads as a map of its own.</summary>
    private static readonly string[] Reserved = ["cluster", "region", "values"];

    /// <summary>Parameters the cluster generator gives every cluster (besides metadata.labels.*, metadata.annotations.*, values.*).</summary>
    private static readonly string[] ClusterGeneratorParameters = ["name", "nameNormalized", "server", "project"];

    public static KubeObject Build(ApplicationSetRequest request)
    {
        if (!Dns1123Subdomain().IsMatch(request.Name) || request.Name.Length > 253)
        {
            throw Invalid(DeliveryErrorIds.NameInvalid, request.Name,
                $"ApplicationSet name '{request.Name}' is not a valid object name (lower-case letters, digits, '-' and '.').", null);
        }
        var elements = request.ClusterGenerator ? [] : Elements(request);
        var generator = request.ClusterGenerator ? ClusterGenerator(request) : ListGenerator(elements);
        var template = Template(request);
        CheckReferences(request, template, elements);
        var spec = new JsonObject();
        if (request.GoTemplate)
        {
            spec["goTemplate"] = true;
            spec["goTemplateOptions"] = new JsonArray("missingkey=error");
        }
        spec["generators"] = new JsonArray(generator);
        spec["template"] = template;
        if (request.Waves.Count > 0) spec["strategy"] = RollingSync(request);
        var metadata = new JsonObject
        {
            ["name"] = request.Name,
            ["namespace"] = request.ArgoNamespace,
            ["labels"] = new JsonObject { [KubeObject.ManagedByLabel] = KubeObject.ManagedByValue },
        };
        return new KubeObject(new JsonObject { ["apiVersion"] = "argoproj.io/v1alpha1", ["kind"] = "ApplicationSet", ["metadata"] = metadata, ["spec"] = spec });
    }

    /// <summary>
    /// One element per cluster: cluster, region, every fleet label under its own key, and the
    /// parameters. Elements are free JSON objects: fasttemplate reads a key such as cost-center as
    /// {{cost-center}}, a Go template as {{ index . "cost-center" }}. A label that would replace the
    /// element's cluster, region or values, or that a -Parameter of the same name replaces, is left
    /// out with a warning.
    /// </summary>
    private static List<JsonObject> Elements(ApplicationSetRequest request)
    {
        foreach (var (name, value) in request.Parameters)
        {
            if (!Identifier().IsMatch(name) || Reserved.Contains(name))
            {
                throw Invalid(DeliveryErrorIds.NameInvalid, name,
                    name == "values" ? "-Parameter 'values' would replace the element's 'values', which Argo CD's list generator reads as a map of its own; choose another name."
                        : Reserved.Contains(name) ? $"-Parameter '{name}' would replace the element's own '{name}'; choose another name."
                        : $"-Parameter name '{name}' is not a template identifier (letters, digits and '_', not starting with a digit).", null);
            }
            if (value is IDictionary perCluster)
            {
                foreach (var key in perCluster.Keys.Cast<object>().Select(k => k.ToString() ?? ""))
                {
                    if (!request.Clusters.Any(c => string.Equals(c.Name, key, StringComparison.OrdinalIgnoreCase)))
                    {
                        throw Invalid(DeliveryErrorIds.ParameterClusterUnknown, key,
                            $"-Parameter '{name}' gives a value for cluster '{key}', which is not one of the ApplicationSet's clusters ({NameList.Brief(request.Clusters.Select(c => c.Name))}).{NameSuggestions.DidYouMean(key, request.Clusters.Select(c => c.Name))}",
                            "Name the clusters as Get-FleetCluster shows them, or select that cluster too.");
                    }
                }
            }
        }
        var leftOut = new List<(string Label, string Cluster, string Why)>();
        var elements = request.Clusters.Select(cluster =>
        {
            var element = new JsonObject { ["cluster"] = cluster.Name, ["region"] = cluster.Region ?? "" };
            foreach (var (key, value) in cluster.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                if (key == "values") leftOut.Add((key, cluster.Name, "Argo CD's list generator reads an element's 'values' as a map of its own"));
                // A label repeating the element's own cluster or region loses nothing.
                else if (Reserved.Contains(key) && element[key]!.GetValue<string>() != value) leftOut.Add((key, cluster.Name, $"the element's '{key}' is the cluster's own {key}"));
                else if (!Reserved.Contains(key)) element[key] = value;
            }
            foreach (var (name, value) in request.Parameters)
            {
                var given = value is not IDictionary perCluster ? Scalar(value, request.GoTemplate)
                    : ValueFor(perCluster, cluster.Name, out var found) is var forCluster && found ? Scalar(forCluster, request.GoTemplate) : null;
                if (given is null) continue;
                if (cluster.Labels.ContainsKey(name)) leftOut.Add((name, cluster.Name, $"-Parameter '{name}' gives the element's '{name}'"));
                element[name] = given;
            }
            return element;
        }).ToList();
        foreach (var group in leftOut.GroupBy(l => (l.Label, l.Why)))
        {
            FleetCallContext.Reporter.Warning(
                $"Fleet label '{group.Key.Label}' of {string.Join(", ", group.Select(l => l.Cluster))} is not in the list elements: {group.Key.Why}.");
        }
        return elements;
    }

    private static object? ValueFor(IDictionary map, string cluster, out bool found)
    {
        foreach (DictionaryEntry entry in map)
        {
            if (string.Equals(entry.Key?.ToString(), cluster, StringComparison.OrdinalIgnoreCase))
            {
                found = true;
                return entry.Value;
            }
        }
        found = false;
        return null;
    }

    /// <summary>Without Go templates the list generator takes strings only; with them numbers and booleans stay what they are.</summary>
    private static JsonNode? Scalar(object? value, bool goTemplate)
    {
        if (value is null) return "";
        if (goTemplate)
        {
            switch (value)
            {
                case bool flag: return flag;
                case int or long or short or byte: return Convert.ToInt64(value, CultureInfo.InvariantCulture);
                case double or float or decimal: return Convert.ToDouble(value, CultureInfo.InvariantCulture);
            }
        }
        return value switch
        {
            bool flag => flag ? "true" : "false",
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
    }

    private static JsonObject ListGenerator(IReadOnlyList<JsonObject> elements) =>
        new() { ["list"] = new JsonObject { ["elements"] = new JsonArray(elements.Select(e => (JsonNode?)e).ToArray()) } };

    /// <summary>The cluster generator: the -Selector over the cluster Secrets, always restricted to the clusters this module registered.</summary>
    private static JsonObject ClusterGenerator(ApplicationSetRequest request)
    {
        var matchLabels = new JsonObject { [KubeObject.ManagedByLabel] = KubeObject.ManagedByValue };
        var expressions = new JsonArray();
        if (!string.IsNullOrWhiteSpace(request.ClusterSelector))
        {
            foreach (var requirement in LabelSelector.Parse(request.ClusterSelector).Requirements)
            {
                switch (requirement.Operator)
                {
                    case LabelOperator.Equals:
                        matchLabels[requirement.Key] = requirement.Values[0];
                        break;
                    default:
                        var expression = new JsonObject
                        {
                            ["key"] = requirement.Key,
                            ["operator"] = requirement.Operator switch
                            {
                                LabelOperator.In => "In",
                                LabelOperator.NotIn or LabelOperator.NotEquals => "NotIn",
                                LabelOperator.Exists => "Exists",
                                _ => "DoesNotExist",
                            },
                        };
                        if (requirement.Operator is LabelOperator.In or LabelOperator.NotIn or LabelOperator.NotEquals)
                            expression["values"] = new JsonArray(requirement.Values.Select(v => (JsonNode?)v).ToArray());
                        expressions.Add(expression);
                        break;
                }
            }
        }
        var selector = new JsonObject { ["matchLabels"] = matchLabels };
        if (expressions.Count > 0) selector["matchExpressions"] = expressions;
        var generator = new JsonObject { ["selector"] = selector };
        if (request.Parameters.Count > 0)
        {
            var values = new JsonObject();
            foreach (var (name, value) in request.Parameters)
            {
                if (value is IDictionary)
                {
                    throw Invalid(DeliveryErrorIds.NameInvalid, name,
                        $"-Parameter '{name}' gives per-cluster values, which only the list generator carries; with -Generator Cluster give one value for all clusters.", null);
                }
                values[name] = Scalar(value, goTemplate: false);
            }
            generator["values"] = values;
        }
        return new JsonObject { ["clusters"] = generator };
    }

    private static JsonObject Template(ApplicationSetRequest request)
    {
        var clusterRef = request.ClusterGenerator ? Reference(request, "name") : Reference(request, "cluster");
        var source = new JsonObject { ["repoURL"] = request.RepoUrl, ["targetRevision"] = request.Revision, ["path"] = request.Path };
        if (request.HelmParameters.Count > 0 || request.ValueFiles.Count > 0)
        {
            var helm = new JsonObject();
            if (request.ValueFiles.Count > 0) helm["valueFiles"] = new JsonArray(request.ValueFiles.Select(f => (JsonNode?)f).ToArray());
            if (request.HelmParameters.Count > 0)
            {
                helm["parameters"] = new JsonArray(request.HelmParameters.OrderBy(p => p.Key, StringComparer.Ordinal)
                    .Select(p => (JsonNode?)new JsonObject { ["name"] = p.Key, ["value"] = p.Value }).ToArray());
            }
            source["helm"] = helm;
        }
        var spec = new JsonObject
        {
            ["project"] = request.Project,
            ["source"] = source,
            ["destination"] = new JsonObject { ["name"] = clusterRef, ["namespace"] = request.DestinationNamespace },
        };
        var syncPolicy = new JsonObject();
        if (request.AutoSync) syncPolicy["automated"] = new JsonObject { ["prune"] = true, ["selfHeal"] = true };
        if (request.CreateNamespace) syncPolicy["syncOptions"] = new JsonArray("CreateNamespace=true");
        if (syncPolicy.Count > 0) spec["syncPolicy"] = syncPolicy;
        return new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{clusterRef}-{request.Name}",
                ["labels"] = new JsonObject
                {
                    [KubeObject.ManagedByLabel] = KubeObject.ManagedByValue,
                    [ApplicationSetLabel] = request.Name,
                    [ClusterLabel] = clusterRef,
                },
            },
            ["spec"] = spec,
        };
    }

    private static string Reference(ApplicationSetRequest request, string parameter) => request.GoTemplate ? $"{{{{.{parameter}}}}}" : $"{{{{{parameter}}}}}";

    /// <summary>RollingSync: one step per wave, matching the Applications of that wave's clusters by their cluster label.</summary>
    private static JsonObject RollingSync(ApplicationSetRequest request)
    {
        var assigned = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var steps = new JsonArray();
        for (var i = 0; i < request.Waves.Count; i++)
        {
            var names = ClusterSelector.Select(request.Clusters, request.Waves[i]).Clusters.Select(c => c.Name).Where(assigned.Add).ToList();
            if (names.Count == 0)
            {
                throw Invalid(PlacementErrorIds.PlacementEmpty, $"wave {i + 1}",
                    $"Wave {i + 1} (-Wave) names none of the ApplicationSet's clusters that an earlier wave did not already take.", null);
            }
            steps.Add(new JsonObject
            {
                ["matchExpressions"] = new JsonArray(new JsonObject
                {
                    ["key"] = ClusterLabel, ["operator"] = "In", ["values"] = new JsonArray(names.Select(n => (JsonNode?)n).ToArray()),
                }),
            });
        }
        var left = request.Clusters.Where(c => !assigned.Contains(c.Name)).Select(c => c.Name).ToList();
        if (left.Count > 0)
        {
            throw Invalid(DeliveryErrorIds.WaveIncomplete, left[0],
                $"Cluster{(left.Count > 1 ? "s" : "")} {string.Join(", ", left)} {(left.Count > 1 ? "are" : "is")} in no wave (-Wave); RollingSync would never sync {(left.Count > 1 ? "them" : "it")}.",
                "Add a last wave for the rest, for example -Wave ..., '*'.");
        }
        return new JsonObject { ["type"] = "RollingSync", ["rollingSync"] = new JsonObject { ["steps"] = steps } };
    }

    /// <summary>Every parameter the template strings use must be defined by every element (or be one the cluster generator gives).</summary>
    private static void CheckReferences(ApplicationSetRequest request, JsonObject template, IReadOnlyList<JsonObject> elements)
    {
        foreach (var text in Strings(template))
        {
            foreach (var reference in References(text, request.GoTemplate))
            {
                if (request.ClusterGenerator)
                {
                    if (ClusterGeneratorParameters.Contains(reference) || reference == "metadata" || reference.StartsWith("metadata.labels.", StringComparison.Ordinal)
                        || reference.StartsWith("metadata.annotations.", StringComparison.Ordinal) || reference == "values"
                        || (reference.StartsWith("values.", StringComparison.Ordinal) && request.Parameters.ContainsKey(reference["values.".Length..])))
                        continue;
                    throw Undefined(reference, text, "the cluster generator gives name, nameNormalized, server, project, metadata.labels.<key>, metadata.annotations.<key> and values.<parameter>", request.GoTemplate);
                }
                var lacking = request.Clusters.Zip(elements).Where(p => !p.Second.ContainsKey(reference)).Select(p => p.First.Name).ToList();
                if (lacking.Count == 0) continue;
                throw Undefined(reference, text, lacking.Count == elements.Count
                    ? "no element defines it (elements carry cluster, region, the fleet labels and -Parameter)"
                    : $"the element of {string.Join(", ", lacking)} does not define it", request.GoTemplate);
            }
        }
    }

    private static FleetInputException Undefined(string reference, string text, string why, bool goTemplate) =>
        Invalid(DeliveryErrorIds.TemplateParameterUndefined, reference,
            $"The template '{text}' uses parameter '{reference}', but {why}. Nothing was changed.",
            "Give the parameter with -Parameter (for every cluster), or correct its name."
            + (goTemplate ? " A Go template reads a key that is no identifier (a label such as cost-center) with {{ index . \"cost-center\" }}." : ""));

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => Strings(p.Value)),
        JsonArray array => array.SelectMany(Strings),
        JsonValue value when value.TryGetValue<string>(out var text) => [text],
        _ => [],
    };

    /// <summary>The parameters a template string names: fasttemplate tags whole, Go templates by their first field or the key of index . "key".</summary>
    internal static IEnumerable<string> References(string text, bool goTemplate)
    {
        foreach (Match tag in Tag().Matches(text))
        {
            var body = tag.Groups[1].Value.Trim();
            if (!goTemplate)
            {
                yield return body;
                continue;
            }
            foreach (Match field in GoField().Matches(GoString().Replace(body, "\"\""))) yield return field.Groups[1].Value;
            // A key that is no identifier (a label such as cost-center) is read with index.
            foreach (Match key in GoIndexKey().Matches(body)) yield return key.Groups[1].Value.Replace("\\\"", "\"").Replace("\\\\", "\\");
        }
    }

    private static FleetInputException Invalid(string id, string target, string message, string? action) =>
        new(id, FleetErrorCategory.InvalidArgument, target, message, recommendedAction: action);

    [GeneratedRegex(@"\{\{-?(.*?)-?\}\}")]
    private static partial Regex Tag();

    [GeneratedRegex(@"(?<![\w\]\)])\.([A-Za-z_]\w*)")]
    private static partial Regex GoField();

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""")]
    private static partial Regex GoString();

    [GeneratedRegex(@"\bindex\s+\$?\.\s+""((?:[^""\\]|\\.)*)""")]
    private static partial Regex GoIndexKey();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();
}
