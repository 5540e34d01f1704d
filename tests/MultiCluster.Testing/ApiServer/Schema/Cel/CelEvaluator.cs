using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;

namespace MultiCluster.Testing.ApiServer.Schema.Cel;

/// <summary>
/// Evaluates a parsed CEL expression. Covers what CRD validation rules use: the operators, the macros,
/// CEL's error semantics (a missing field is the error "no such key"; &amp;&amp;, ||, all and exists
/// absorb an error when the other side decides the result), the standard functions size, matches,
/// startsWith, endsWith, contains, int, uint, double, string, bool, duration, timestamp, and from
/// Kubernetes' libraries substring, lowerAscii, upperAscii, trim, split, join, indexOf, lastIndexOf,
/// isSorted, sum, min, max and optionals (hasValue, value, orValue).
/// Functions outside that set are the error "no such overload".
/// </summary>
public static class CelEvaluator
{
    private static readonly ConcurrentDictionary<string, Regex> Patterns = new();

    /// <summary>Evaluates <paramref name="expr"/> with the given variables (e.g. self and oldSelf).</summary>
    public static object? Evaluate(CelExpr expr, IReadOnlyDictionary<string, object?> variables) =>
        Eval(expr, new Scope(variables, null, null, null));

    private sealed record Scope(IReadOnlyDictionary<string, object?>? Root, string? Name, object? Value, Scope? Parent)
    {
        public object? Lookup(string name)
        {
            for (var scope = this; scope is not null; scope = scope.Parent)
            {
                if (scope.Name == name) return scope.Value;
                if (scope.Root is not null && scope.Root.TryGetValue(name, out var value)) return value;
            }
            throw new CelEvaluationException($"undeclared reference to '{name}'");
        }

        public Scope With(string name, object? value) => new(null, name, value, this);
    }

    private static object? Eval(CelExpr expr, Scope scope) => expr switch
    {
        CelLiteral literal => literal.Value,
        CelIdent ident => scope.Lookup(ident.Name),
        CelSelect select => Select(select, scope),
        CelIndex index => Index(Eval(index.Operand, scope), Eval(index.Index, scope)),
        CelUnary unary => Unary(unary.Operator, Eval(unary.Operand, scope)),
        CelBinary { Operator: "&&" } and => Logical(and, scope, decisive: false),
        CelBinary { Operator: "||" } or => Logical(or, scope, decisive: true),
        CelBinary binary => Binary(binary.Operator, Eval(binary.Left, scope), Eval(binary.Right, scope)),
        CelConditional conditional => Eval(conditional, scope),
        CelList list => list.Items.Select(item => Eval(item, scope)).ToList(),
        CelMapLiteral map => map.Entries.ToDictionary(e => Eval(e.Key, scope) ?? throw new CelEvaluationException("unsupported key type"), e => Eval(e.Value, scope)),
        CelComprehension comprehension => Comprehend(comprehension, scope),
        CelCall call => Call(call, scope),
        _ => throw new CelEvaluationException($"unsupported expression {expr.GetType().Name}"),
    };

    private static object? Eval(CelConditional conditional, Scope scope) =>
        Eval(conditional.Condition, scope) is bool condition
            ? Eval(condition ? conditional.Then : conditional.Else, scope)
            : throw new CelEvaluationException("no such overload");

    private static object? Select(CelSelect select, Scope scope)
    {
        var operand = Eval(select.Operand, scope);
        if (operand is not IReadOnlyDictionary<object, object?> map)
            throw new CelEvaluationException(select.TestOnly ? "no such overload" : $"no such key: {select.Field}");
        var present = map.TryGetValue(select.Field, out var value);
        if (select.TestOnly) return present;
        return present ? value : throw new CelEvaluationException($"no such key: {select.Field}");
    }

    private static object? Index(object? operand, object? index)
    {
        switch (operand)
        {
            case IReadOnlyList<object?> list:
                var position = index switch
                {
                    long l => l,
                    ulong u => (long)u,
                    double d when Math.Floor(d) == d => (long)d,
                    _ => throw new CelEvaluationException("no such overload"),
                };
                return position >= 0 && position < list.Count ? list[(int)position] : throw new CelEvaluationException($"index out of bounds: {position}");
            case IReadOnlyDictionary<object, object?> map:
                if (index is not null && map.TryGetValue(index, out var value)) return value;
                throw new CelEvaluationException($"no such key: {CelValues.Format(index)}");
            default:
                throw new CelEvaluationException("no such overload");
        }
    }

    private static object? Unary(string op, object? operand) => (op, operand) switch
    {
        ("!", bool b) => !b,
        ("-", long l) => l == long.MinValue ? throw new CelEvaluationException("integer overflow") : -l,
        ("-", double d) => -d,
        ("-", CelDuration d) => new CelDuration(-d.Nanoseconds),
        _ => throw new CelEvaluationException("no such overload"),
    };

    /// <summary>&amp;&amp; and ||: the <paramref name="decisive"/> value on either side decides, even if the other side errs.</summary>
    private static object? Logical(CelBinary binary, Scope scope, bool decisive)
    {
        CelEvaluationException? error = null;
        foreach (var side in new[] { binary.Left, binary.Right })
        {
            try
            {
                var value = Eval(side, scope);
                if (value is not bool b) throw new CelEvaluationException("no such overload");
                if (b == decisive) return decisive;
            }
            catch (CelEvaluationException e)
            {
                error ??= e;
            }
        }
        if (error is not null) throw error;
        return !decisive;
    }

    private static object? Binary(string op, object? left, object? right)
    {
        switch (op)
        {
            case "==": return CelValues.AreEqual(left, right);
            case "!=": return !CelValues.AreEqual(left, right);
            case "<": return Compare(left, right) < 0;
            case "<=": return Compare(left, right) <= 0;
            case ">": return Compare(left, right) > 0;
            case ">=": return Compare(left, right) >= 0;
            case "in":
                return right switch
                {
                    IReadOnlyList<object?> list => list.Any(item => CelValues.AreEqual(item, left)),
                    IReadOnlyDictionary<object, object?> map => left is not null && map.Keys.Any(key => CelValues.AreEqual(key, left)),
                    _ => throw new CelEvaluationException("no such overload"),
                };
        }
        return Arithmetic(op, left, right);
    }

    private static int Compare(object? left, object? right) => (left, right) switch
    {
        _ when CelValues.IsNumber(left) && CelValues.IsNumber(right) => CelValues.CompareNumbers(left!, right!),
        (string l, string r) => Math.Sign(string.CompareOrdinal(l, r)),
        (bool l, bool r) => l.CompareTo(r),
        (CelDuration l, CelDuration r) => l.CompareTo(r),
        (DateTimeOffset l, DateTimeOffset r) => l.CompareTo(r),
        _ => throw new CelEvaluationException("no such overload"),
    };

    private static object? Arithmetic(string op, object? left, object? right)
    {
        try
        {
            return (op, left, right) switch
            {
                ("+", long l, long r) => checked(l + r),
                ("-", long l, long r) => checked(l - r),
                ("*", long l, long r) => checked(l * r),
                ("/", long _, 0L) => throw new CelEvaluationException("division by zero"),
                ("%", long _, 0L) => throw new CelEvaluationException("modulus by zero"),
                ("/", long l, long r) => l == long.MinValue && r == -1 ? throw new CelEvaluationException("integer overflow") : l / r,
                ("%", long l, long r) => r == -1 ? 0L : l % r,
                ("+", ulong l, ulong r) => checked(l + r),
                ("-", ulong l, ulong r) => checked(l - r),
                ("*", ulong l, ulong r) => checked(l * r),
                ("/", ulong _, 0UL) => throw new CelEvaluationException("division by zero"),
                ("%", ulong _, 0UL) => throw new CelEvaluationException("modulus by zero"),
                ("/", ulong l, ulong r) => l / r,
                ("%", ulong l, ulong r) => l % r,
                ("+", double l, double r) => l + r,
                ("-", double l, double r) => l - r,
                ("*", double l, double r) => l * r,
                ("/", double l, double r) => l / r,
                ("+", string l, string r) => l + r,
                ("+", IReadOnlyList<object?> l, IReadOnlyList<object?> r) => l.Concat(r).ToList(),
                ("+", CelDuration l, CelDuration r) => new CelDuration(checked(l.Nanoseconds + r.Nanoseconds)),
                ("-", CelDuration l, CelDuration r) => new CelDuration(checked(l.Nanoseconds - r.Nanoseconds)),
                ("+", DateTimeOffset l, CelDuration r) => l.AddTicks(r.Nanoseconds / 100),
                ("+", CelDuration l, DateTimeOffset r) => r.AddTicks(l.Nanoseconds / 100),
                ("-", DateTimeOffset l, CelDuration r) => l.AddTicks(-r.Nanoseconds / 100),
                ("-", DateTimeOffset l, DateTimeOffset r) => new CelDuration(checked((l - r).Ticks * 100)),
                _ => throw new CelEvaluationException("no such overload"),
            };
        }
        catch (OverflowException)
        {
            throw new CelEvaluationException(left is ulong ? "unsigned integer overflow" : "integer overflow");
        }
    }

    private static object? Comprehend(CelComprehension comprehension, Scope scope)
    {
        var range = Eval(comprehension.Range, scope) switch
        {
            IReadOnlyList<object?> list => list,
            IReadOnlyDictionary<object, object?> map => map.Keys.Cast<object?>().ToList(),
            _ => throw new CelEvaluationException("no such overload"),
        };
        object? Body(object? item) => Eval(comprehension.Body, scope.With(comprehension.Variable, item));
        bool Predicate(object? item) => Body(item) is bool b ? b : throw new CelEvaluationException("no such overload");

        switch (comprehension.Macro)
        {
            case "all":
            case "exists":
            {
                // Like && and ||: one decisive element wins over errors of the others.
                var decisive = comprehension.Macro == "exists";
                CelEvaluationException? error = null;
                foreach (var item in range)
                {
                    try
                    {
                        if (Predicate(item) == decisive) return decisive;
                    }
                    catch (CelEvaluationException e)
                    {
                        error ??= e;
                    }
                }
                if (error is not null) throw error;
                return !decisive;
            }
            case "exists_one":
                return range.Count(Predicate) == 1;
            case "filter":
                return range.Where(Predicate).ToList();
            case "map":
                return range
                    .Where(item => comprehension.Filter is null
                        || (Eval(comprehension.Filter, scope.With(comprehension.Variable, item)) is bool keep ? keep : throw new CelEvaluationException("no such overload")))
                    .Select(Body).ToList();
            default:
                throw new CelEvaluationException($"unknown macro {comprehension.Macro}");
        }
    }

    // ---- functions ---------------------------------------------------------------------------

    private static object? Call(CelCall call, Scope scope)
    {
        var target = call.Target is null ? null : Eval(call.Target, scope);
        var args = call.Args.Select(arg => Eval(arg, scope)).ToList();
        if (call.Target is null)
            return Global(call.Function, args);
        return Member(call.Function, target, args);
    }

    private static object? Global(string function, List<object?> args) => (function, args) switch
    {
        ("size", [var value]) => Size(value),
        ("matches", [string text, string pattern]) => Matches(text, pattern),
        ("int", [var value]) => ToInt(value),
        ("uint", [var value]) => ToUint(value),
        ("double", [var value]) => ToDouble(value),
        ("string", [var value]) => value is IReadOnlyList<object?> or IReadOnlyDictionary<object, object?> or null
            ? throw new CelEvaluationException("no such overload") : CelValues.Format(value),
        ("bool", [bool b]) => b,
        ("bool", [string s]) => s switch
        {
            "true" or "True" or "TRUE" or "t" or "1" => true,
            "false" or "False" or "FALSE" or "f" or "0" => false,
            _ => throw new CelEvaluationException($"type conversion error from 'string' to 'bool'"),
        },
        ("duration", [CelDuration d]) => d,
        ("duration", [string s]) => CelValues.TryParseDuration(s, out var parsed)
            ? parsed : throw new CelEvaluationException("type conversion error from 'string' to 'google.protobuf.Duration'"),
        ("timestamp", [DateTimeOffset t]) => t,
        ("timestamp", [string s]) => DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time : throw new CelEvaluationException("type conversion error from 'string' to 'google.protobuf.Timestamp'"),
        _ => throw new CelEvaluationException("no such overload"),
    };

    private static object? Member(string function, object? target, List<object?> args) => (function, target, args) switch
    {
        ("size", var value, []) => Size(value),
        ("matches", string text, [string pattern]) => Matches(text, pattern),
        ("startsWith", string text, [string prefix]) => text.StartsWith(prefix, StringComparison.Ordinal),
        ("endsWith", string text, [string suffix]) => text.EndsWith(suffix, StringComparison.Ordinal),
        ("contains", string text, [string part]) => text.Contains(part, StringComparison.Ordinal),
        ("substring", string text, [long start]) => CelValues.SubstringByCodePoints(text, start, CelValues.CodePoints(text)),
        ("substring", string text, [long start, long end]) => CelValues.SubstringByCodePoints(text, start, end),
        ("lowerAscii", string text, []) => AsciiCase(text, upper: false),
        ("upperAscii", string text, []) => AsciiCase(text, upper: true),
        ("trim", string text, []) => text.Trim(),
        ("split", string text, [string separator]) => text.Split(separator).Cast<object?>().ToList(),
        ("indexOf", string text, [string part]) => (long)CodePointIndex(text, text.IndexOf(part, StringComparison.Ordinal)),
        ("lastIndexOf", string text, [string part]) => (long)CodePointIndex(text, text.LastIndexOf(part, StringComparison.Ordinal)),
        ("join", IReadOnlyList<object?> list, []) => string.Join("", list.Select(JoinPart)),
        ("join", IReadOnlyList<object?> list, [string separator]) => string.Join(separator, list.Select(JoinPart)),
        ("indexOf", IReadOnlyList<object?> list, [var item]) => (long)IndexOf(list, item),
        ("lastIndexOf", IReadOnlyList<object?> list, [var item]) => (long)LastIndexOf(list, item),
        ("isSorted", IReadOnlyList<object?> list, []) => list.Zip(list.Skip(1)).All(pair => Compare(pair.First, pair.Second) <= 0),
        ("sum", IReadOnlyList<object?> list, []) => list.Count == 0 ? 0L : list.Skip(1).Aggregate(list[0], (total, item) => Arithmetic("+", total, item)),
        ("min", IReadOnlyList<object?> list, []) => list.Count == 0 ? throw new CelEvaluationException("min called on empty list") : list.Aggregate((a, b) => Compare(b, a) < 0 ? b : a),
        ("max", IReadOnlyList<object?> list, []) => list.Count == 0 ? throw new CelEvaluationException("max called on empty list") : list.Aggregate((a, b) => Compare(b, a) > 0 ? b : a),
        ("hasValue", CelOptional optional, []) => optional.HasValue,
        ("value", CelOptional optional, []) => optional.HasValue ? optional.Value : throw new CelEvaluationException("optional.none() dereference"),
        ("orValue", CelOptional optional, [var fallback]) => optional.HasValue ? optional.Value : fallback,
        _ => throw new CelEvaluationException("no such overload"),
    };

    private static long Size(object? value) => value switch
    {
        string s => CelValues.CodePoints(s),
        IReadOnlyList<object?> list => list.Count,
        IReadOnlyDictionary<object, object?> map => map.Count,
        _ => throw new CelEvaluationException("no such overload"),
    };

    /// <summary>RE2 patterns as CEL's matches() takes them (unanchored); the rules' patterns are in the RE2/.NET common subset.</summary>
    private static bool Matches(string text, string pattern)
    {
        Regex regex;
        try
        {
            regex = Patterns.GetOrAdd(pattern, p => new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
        }
        catch (ArgumentException e)
        {
            throw new CelEvaluationException($"invalid regex: {e.Message}");
        }
        return regex.IsMatch(text);
    }

    private static object? ToInt(object? value) => value switch
    {
        long l => l,
        ulong u => u <= long.MaxValue ? (long)u : throw new CelEvaluationException("integer overflow"),
        double d => d >= -9.2233720368547758e18 && d < 9.2233720368547758e18 ? (long)Math.Truncate(d) : throw new CelEvaluationException("integer overflow"),
        string s => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)
            ? parsed : throw new CelEvaluationException($"type conversion error from 'string' to 'int'"),
        CelDuration d => d.Nanoseconds,
        DateTimeOffset t => t.ToUnixTimeSeconds(),
        _ => throw new CelEvaluationException("no such overload"),
    };

    private static object? ToUint(object? value) => value switch
    {
        ulong u => u,
        long l => l >= 0 ? (ulong)l : throw new CelEvaluationException("unsigned integer overflow"),
        double d => d >= 0 && d < 1.8446744073709552e19 ? (ulong)Math.Truncate(d) : throw new CelEvaluationException("unsigned integer overflow"),
        string s => ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
            ? parsed : throw new CelEvaluationException($"type conversion error from 'string' to 'uint'"),
        _ => throw new CelEvaluationException("no such overload"),
    };

    private static object? ToDouble(object? value) => value switch
    {
        double d => d,
        long l => (double)l,
        ulong u => (double)u,
        string s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
            ? parsed : throw new CelEvaluationException($"type conversion error from 'string' to 'double'"),
        _ => throw new CelEvaluationException("no such overload"),
    };

    private static string AsciiCase(string text, bool upper) =>
        string.Concat(text.Select(c => c > 127 ? c : upper ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c)));

    private static string JoinPart(object? item) => item as string ?? throw new CelEvaluationException("no such overload");

    private static int CodePointIndex(string text, int charIndex) =>
        charIndex < 0 ? -1 : (int)CelValues.CodePoints(text[..charIndex]);

    private static int IndexOf(IReadOnlyList<object?> list, object? item)
    {
        for (var i = 0; i < list.Count; i++)
            if (CelValues.AreEqual(list[i], item)) return i;
        return -1;
    }

    private static int LastIndexOf(IReadOnlyList<object?> list, object? item)
    {
        for (var i = list.Count - 1; i >= 0; i--)
            if (CelValues.AreEqual(list[i], item)) return i;
        return -1;
    }
}
