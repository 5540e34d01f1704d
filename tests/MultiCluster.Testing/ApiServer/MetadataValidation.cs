using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MultiCluster.Testing.ApiServer.Schema;

namespace MultiCluster.Testing.ApiServer;

/// <summary>ObjectMeta validation every kind gets (labels, annotations) and the immutable fields of the built-ins.</summary>
internal static partial class MetadataValidation
{
    private const int AnnotationsLimit = 262144;

    public static List<FieldError> Errors(JsonObject obj)
    {
        var errors = new List<FieldError>();
        var meta = obj["metadata"] as JsonObject;
        if (meta?["labels"] is JsonObject labels)
            foreach (var (key, value) in labels)
            {
                errors.AddRange(KeyErrors("metadata.labels", key));
                var text = value?.ToString() ?? "";
                if (text.Length > 63)
                    errors.Add(new FieldError("FieldValueInvalid", "metadata.labels", $"Invalid value: \"{text}\": must be no more than 63 characters"));
                if (text.Length > 0 && !LabelValue().IsMatch(text))
                    errors.Add(new FieldError("FieldValueInvalid", "metadata.labels",
                        $"Invalid value: \"{text}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));
            }
        if (meta?["annotations"] is JsonObject annotations)
        {
            var total = 0;
            foreach (var (key, value) in annotations)
            {
                errors.AddRange(KeyErrors("metadata.annotations", key).Select(e => e with { Field = "metadata.annotations" }));
                total += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value?.ToString() ?? "");
            }
            if (total > AnnotationsLimit)
                errors.Add(new FieldError("FieldValueTooLong", "metadata.annotations", $"Too long: may not be more than {AnnotationsLimit} bytes"));
        }
        return errors;
    }

    /// <summary>Changes the real server refuses on update: immutable selectors, immutable ConfigMaps and Secrets, a Service's clusterIP.</summary>
    public static List<FieldError> UpdateErrors(ResourceType type, JsonObject old, JsonObject updated)
    {
        var errors = new List<FieldError>();
        var oldUid = old["metadata"]?["uid"]?.ToString();
        var newUid = updated["metadata"]?["uid"]?.ToString();
        if (!string.IsNullOrEmpty(newUid) && !string.IsNullOrEmpty(oldUid) && newUid != oldUid)
            errors.Add(new FieldError("FieldValueInvalid", "metadata.uid", $"Invalid value: \"{newUid}\": field is immutable"));
        if (type.IsCustom) return errors;
        switch (type.Group, type.Kind)
        {
            case ("rbac.authorization.k8s.io", "RoleBinding" or "ClusterRoleBinding"):
                if (old["roleRef"] is { } oldRoleRef && !JsonNode.DeepEquals(oldRoleRef, updated["roleRef"]))
                    errors.Add(new FieldError("FieldValueInvalid", "roleRef", $"Invalid value: {GoRoleRef(updated["roleRef"])}: cannot change roleRef"));
                break;
            case ("apps", "Deployment"):
                var oldSelector = old["spec"]?["selector"];
                var newSelector = updated["spec"]?["selector"];
                if (oldSelector is not null && !JsonNode.DeepEquals(oldSelector, newSelector))
                    errors.Add(new FieldError("FieldValueInvalid", "spec.selector",
                        $"Invalid value: {GoLabelSelector(newSelector)}: field is immutable"));
                break;
            case ("", "ConfigMap") or ("", "Secret") when old["immutable"]?.ToString() == "true":
                foreach (var field in new[] { "data", "binaryData", "stringData" })
                    if (!JsonNode.DeepEquals(old[field], updated[field]))
                        errors.Add(new FieldError("Forbidden", field, "Forbidden: field is immutable when `immutable` is set"));
                if (updated["immutable"]?.ToString() != "true")
                    errors.Add(new FieldError("Forbidden", "immutable", "Forbidden: field is immutable when `immutable` is set"));
                break;
            case ("", "Service"):
                var oldIp = old["spec"]?["clusterIP"]?.ToString();
                var newIp = updated["spec"]?["clusterIP"]?.ToString();
                if (!string.IsNullOrEmpty(oldIp) && newIp is not null && newIp != oldIp)
                    errors.Add(new FieldError("FieldValueInvalid", "spec.clusterIPs[0]", $"Invalid value: []string{{\"{newIp}\"}}: may not change once set"));
                break;
        }
        return errors;
    }

    private static IEnumerable<FieldError> KeyErrors(string field, string key)
    {
        var slash = key.IndexOf('/');
        var prefix = slash >= 0 ? key[..slash] : null;
        var name = slash >= 0 ? key[(slash + 1)..] : key;
        if (prefix is not null)
            foreach (var message in ApiHandler.NameErrors(NameRule.Subdomain, prefix))
                yield return new FieldError("FieldValueInvalid", field, $"Invalid value: \"{key}\": prefix part {message}");
        if (name.Length == 0)
            yield return new FieldError("FieldValueInvalid", field, $"Invalid value: \"{key}\": name part must be non-empty");
        else
        {
            if (name.Length > 63)
                yield return new FieldError("FieldValueInvalid", field, $"Invalid value: \"{key}\": name part must be no more than 63 characters");
            if (!QualifiedName().IsMatch(name))
                yield return new FieldError("FieldValueInvalid", field,
                    $"Invalid value: \"{key}\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
        }
    }

    // How Go prints the rbac.RoleRef value (%#v) in the real message.
    private static string GoRoleRef(JsonNode? roleRef) =>
        $"rbac.RoleRef{{APIGroup:\"{roleRef?["apiGroup"]}\", Kind:\"{roleRef?["kind"]}\", Name:\"{roleRef?["name"]}\"}}";

    private static string GoLabelSelector(JsonNode? selector) =>
        selector?["matchLabels"] is JsonObject labels
            ? "v1.LabelSelector{MatchLabels:map[string]string{" + string.Join(", ", labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"\"{kv.Key}\":\"{kv.Value}\"")) + "}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}"
            : "v1.LabelSelector(nil)";

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedName();
}
