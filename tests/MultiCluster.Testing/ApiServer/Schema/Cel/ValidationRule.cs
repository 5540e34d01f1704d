using System.Text.Json.Nodes;

namespace MultiCluster.Testing.ApiServer.Schema.Cel;

/// <summary>
/// One <c>x-kubernetes-validations</c> entry of a schema node, parsed once when the CRD's schema is.
/// A rule that does not parse keeps its <see cref="CompileError"/>, reported on every write as
/// kube-apiserver reports a rule it cannot compile.
/// </summary>
public sealed class ValidationRule
{
    private ValidationRule(JsonObject source)
    {
        Rule = source["rule"]?.GetValue<string>() ?? "";
        Message = source["message"]?.GetValue<string>();
        MessageExpressionSource = source["messageExpression"]?.GetValue<string>();
        Reason = source["reason"]?.GetValue<string>();
        FieldPath = source["fieldPath"]?.GetValue<string>();
        OptionalOldSelf = source["optionalOldSelf"] is JsonValue flag && flag.TryGetValue<bool>(out var optional) && optional;
        try
        {
            Program = Rule.Trim().Length == 0 ? null : CelParser.Parse(Rule);
            UsesOldSelf = Program is not null && References(Program, "oldSelf");
            MessageExpression = string.IsNullOrWhiteSpace(MessageExpressionSource) ? null : CelParser.Parse(MessageExpressionSource);
        }
        catch (CelSyntaxException e)
        {
            CompileError = e.Message;
        }
    }

    public string Rule { get; }
    public string? Message { get; }
    public string? MessageExpressionSource { get; }
    /// <summary>FieldValueInvalid (default), FieldValueForbidden, FieldValueRequired or FieldValueDuplicate.</summary>
    public string? Reason { get; }
    public string? FieldPath { get; }
    public bool OptionalOldSelf { get; }
    public CelExpr? Program { get; }
    public CelExpr? MessageExpression { get; }
    /// <summary>A transition rule: evaluated only on update when an old value exists (unless <see cref="OptionalOldSelf"/>).</summary>
    public bool UsesOldSelf { get; }
    public string? CompileError { get; }

    public static IReadOnlyList<ValidationRule> ParseAll(JsonNode? validations) =>
        validations is JsonArray rules ? rules.OfType<JsonObject>().Select(r => new ValidationRule(r)).ToList() : [];

    /// <summary>kube-apiserver's ruleMessageOrDefault: the message, else "failed rule: RULE".</summary>
    public string MessageOrDefault => string.IsNullOrEmpty(Message) ? $"failed rule: {ErrorString}" : Message.Trim();

    /// <summary>kube-apiserver's ruleErrorString: the message when there is one, else the rule.</summary>
    public string ErrorString => string.IsNullOrEmpty(Message) ? Rule.Trim() : Message.Trim();

    private static bool References(CelExpr expr, string name) => expr switch
    {
        CelIdent ident => ident.Name == name,
        CelSelect select => References(select.Operand, name),
        CelIndex index => References(index.Operand, name) || References(index.Index, name),
        CelCall call => (call.Target is not null && References(call.Target, name)) || call.Args.Any(a => References(a, name)),
        CelUnary unary => References(unary.Operand, name),
        CelBinary binary => References(binary.Left, name) || References(binary.Right, name),
        CelConditional conditional => References(conditional.Condition, name) || References(conditional.Then, name) || References(conditional.Else, name),
        CelList list => list.Items.Any(i => References(i, name)),
        CelMapLiteral map => map.Entries.Any(e => References(e.Key, name) || References(e.Value, name)),
        // A comprehension variable of the same name hides the outer one in its body.
        CelComprehension c => References(c.Range, name)
            || (c.Variable != name && (References(c.Body, name) || (c.Filter is not null && References(c.Filter, name)))),
        _ => false,
    };
}
