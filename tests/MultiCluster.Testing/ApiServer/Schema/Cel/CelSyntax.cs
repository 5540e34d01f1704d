namespace MultiCluster.Testing.ApiServer.Schema.Cel;

/// <summary>A CEL expression tree, as the parser builds it (macros already expanded into comprehensions).</summary>
public abstract record CelExpr;

public sealed record CelLiteral(object? Value) : CelExpr;

public sealed record CelIdent(string Name) : CelExpr;

/// <summary><c>operand.field</c>; with <paramref name="TestOnly"/> it is <c>has(operand.field)</c>.</summary>
public sealed record CelSelect(CelExpr Operand, string Field, bool TestOnly) : CelExpr;

public sealed record CelIndex(CelExpr Operand, CelExpr Index) : CelExpr;

/// <summary>A function call: global (<paramref name="Target"/> null) or receiver-style (<c>target.f(args)</c>).</summary>
public sealed record CelCall(CelExpr? Target, string Function, IReadOnlyList<CelExpr> Args) : CelExpr;

public sealed record CelUnary(string Operator, CelExpr Operand) : CelExpr;

public sealed record CelBinary(string Operator, CelExpr Left, CelExpr Right) : CelExpr;

public sealed record CelConditional(CelExpr Condition, CelExpr Then, CelExpr Else) : CelExpr;

public sealed record CelList(IReadOnlyList<CelExpr> Items) : CelExpr;

public sealed record CelMapLiteral(IReadOnlyList<(CelExpr Key, CelExpr Value)> Entries) : CelExpr;

/// <summary>A macro over a list or map: all, exists, exists_one, filter, map (with an optional filter).</summary>
public sealed record CelComprehension(string Macro, CelExpr Range, string Variable, CelExpr Body, CelExpr? Filter) : CelExpr;

/// <summary>A rule that does not parse; the message follows cel-go's "Syntax error: ..." wording loosely.</summary>
public sealed class CelSyntaxException(string message) : Exception(message);

/// <summary>
/// A runtime error of an evaluation (cel-go's error values): <c>no such key: x</c>, <c>no such overload</c>,
/// <c>index out of bounds: 3</c>, <c>division by zero</c>, <c>integer overflow</c>.
/// </summary>
public sealed class CelEvaluationException(string message) : Exception(message);
