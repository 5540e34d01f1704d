using System.Globalization;
using System.Text;

namespace MultiCluster.Testing.ApiServer.Schema.Cel;

/// <summary>
/// Parses CEL source into a <see cref="CelExpr"/>: the grammar of the CEL spec (ternary, ||, &amp;&amp;,
/// relations with <c>in</c>, additive, multiplicative, unary, member access and calls, list and map
/// literals) with the macros has, all, exists, exists_one, filter and map expanded at parse time.
/// </summary>
public sealed class CelParser
{
    private readonly List<Token> tokens;
    private int position;

    private CelParser(string source) => tokens = Tokenize(source);

    public static CelExpr Parse(string source)
    {
        var parser = new CelParser(source);
        var expr = parser.ParseExpression();
        if (parser.Peek.Kind != TokenKind.End) throw new CelSyntaxException($"Syntax error: unexpected '{parser.Peek.Text}'");
        return expr;
    }

    // ---- grammar -----------------------------------------------------------------------------

    private CelExpr ParseExpression()
    {
        var condition = ParseOr();
        if (!Accept("?")) return condition;
        var then = ParseOr();
        Expect(":");
        return new CelConditional(condition, then, ParseExpression());
    }

    private CelExpr ParseOr()
    {
        var left = ParseAnd();
        while (Accept("||")) left = new CelBinary("||", left, ParseAnd());
        return left;
    }

    private CelExpr ParseAnd()
    {
        var left = ParseRelation();
        while (Accept("&&")) left = new CelBinary("&&", left, ParseRelation());
        return left;
    }

    private static readonly string[] Relations = ["==", "!=", "<", "<=", ">", ">=", "in"];

    private CelExpr ParseRelation()
    {
        var left = ParseAdditive();
        while (Relations.FirstOrDefault(op => IsOperator(Peek, op)) is { } op)
        {
            position++;
            left = new CelBinary(op, left, ParseAdditive());
        }
        return left;
    }

    private CelExpr ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Peek.Text is "+" or "-" && Peek.Kind == TokenKind.Operator)
        {
            var op = Next().Text;
            left = new CelBinary(op, left, ParseMultiplicative());
        }
        return left;
    }

    private CelExpr ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Peek.Text is "*" or "/" or "%" && Peek.Kind == TokenKind.Operator)
        {
            var op = Next().Text;
            left = new CelBinary(op, left, ParseUnary());
        }
        return left;
    }

    private CelExpr ParseUnary()
    {
        if (Accept("!")) return new CelUnary("!", ParseUnary());
        if (Accept("-"))
        {
            // A negative literal is one constant (so -9223372036854775808 fits).
            if (Peek.Kind == TokenKind.Number) return ParseMember(Number(Next(), negative: true));
            return new CelUnary("-", ParseUnary());
        }
        return ParseMember(ParsePrimary());
    }

    private CelExpr ParseMember(CelExpr operand)
    {
        while (true)
        {
            if (Accept("."))
            {
                var name = ExpectIdentifier();
                if (Accept("("))
                    operand = MemberCall(operand, name, ParseArguments(")"));
                else
                    operand = new CelSelect(operand, name, TestOnly: false);
            }
            else if (Accept("["))
            {
                var index = ParseExpression();
                Expect("]");
                operand = new CelIndex(operand, index);
            }
            else
                return operand;
        }
    }

    private CelExpr ParsePrimary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case TokenKind.Number:
                return Number(token, negative: false);
            case TokenKind.String:
                return new CelLiteral(token.Value);
            case TokenKind.Identifier:
                switch (token.Text)
                {
                    case "true": return new CelLiteral(true);
                    case "false": return new CelLiteral(false);
                    case "null": return new CelLiteral(null);
                }
                if (Accept("(")) return GlobalCall(token.Text, ParseArguments(")"));
                return new CelIdent(token.Text);
            case TokenKind.Operator when token.Text == "(":
                var inner = ParseExpression();
                Expect(")");
                return inner;
            case TokenKind.Operator when token.Text == "[":
                return new CelList(ParseArguments("]"));
            case TokenKind.Operator when token.Text == "{":
                return ParseMapLiteral();
            case TokenKind.Operator when token.Text == ".":
                // A leading dot names the root scope: .self is self.
                return new CelIdent(ExpectIdentifier());
            default:
                throw new CelSyntaxException(token.Kind == TokenKind.End ? "Syntax error: unexpected end of expression" : $"Syntax error: unexpected '{token.Text}'");
        }
    }

    private CelExpr ParseMapLiteral()
    {
        var entries = new List<(CelExpr, CelExpr)>();
        if (Accept("}")) return new CelMapLiteral(entries);
        do
        {
            if (IsOperator(Peek, "}")) break; // trailing comma
            var key = ParseExpression();
            Expect(":");
            entries.Add((key, ParseExpression()));
        } while (Accept(","));
        Expect("}");
        return new CelMapLiteral(entries);
    }

    private List<CelExpr> ParseArguments(string close)
    {
        var args = new List<CelExpr>();
        if (Accept(close)) return args;
        do
        {
            if (IsOperator(Peek, close)) break; // trailing comma
            args.Add(ParseExpression());
        } while (Accept(","));
        Expect(close);
        return args;
    }

    private static CelExpr GlobalCall(string function, List<CelExpr> args)
    {
        if (function == "has")
        {
            if (args is not [CelSelect select]) throw new CelSyntaxException("Syntax error: invalid argument to has() macro");
            return select with { TestOnly = true };
        }
        return new CelCall(null, function, args);
    }

    private static CelExpr MemberCall(CelExpr target, string function, List<CelExpr> args)
    {
        var isMacro = function is "all" or "exists" or "exists_one" or "filter" or "map";
        if (!isMacro || args.Count is < 2 or > 3 || args[0] is not CelIdent variable)
            return new CelCall(target, function, args);
        if (args.Count == 3 && function != "map")
            throw new CelSyntaxException($"Syntax error: {function}() takes two arguments");
        return args.Count == 3
            ? new CelComprehension(function, target, variable.Name, args[2], args[1])
            : new CelComprehension(function, target, variable.Name, args[1], null);
    }

    private static CelLiteral Number(Token token, bool negative)
    {
        var text = token.Text;
        if (text.EndsWith('u') || text.EndsWith('U'))
        {
            if (negative) throw new CelSyntaxException($"Syntax error: invalid uint literal -{text}");
            var digits = text[..^1];
            return new CelLiteral(digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? ulong.Parse(digits[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
                : ulong.Parse(digits, CultureInfo.InvariantCulture));
        }
        if (text.Contains('.') || text.Contains('e') || text.Contains('E'))
        {
            var value = double.Parse(text, CultureInfo.InvariantCulture);
            return new CelLiteral(negative ? -value : value);
        }
        var magnitude = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? System.Numerics.BigInteger.Parse("0" + text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : System.Numerics.BigInteger.Parse(text, CultureInfo.InvariantCulture);
        var signed = negative ? -magnitude : magnitude;
        if (signed < long.MinValue || signed > long.MaxValue) throw new CelSyntaxException($"Syntax error: invalid int literal {(negative ? "-" : "")}{text}");
        return new CelLiteral((long)signed);
    }

    // ---- tokens ------------------------------------------------------------------------------

    private enum TokenKind { Identifier, Number, String, Operator, End }

    private sealed record Token(TokenKind Kind, string Text, object? Value = null);

    private Token Peek => tokens[position];

    private Token Next() => tokens[Math.Min(position++, tokens.Count - 1)];

    private static bool IsOperator(Token token, string text) =>
        token.Text == text && (token.Kind == TokenKind.Operator || (text == "in" && token.Kind == TokenKind.Identifier));

    private bool Accept(string text)
    {
        if (!IsOperator(Peek, text)) return false;
        position++;
        return true;
    }

    private void Expect(string text)
    {
        if (!Accept(text)) throw new CelSyntaxException($"Syntax error: expected '{text}' but found '{(Peek.Kind == TokenKind.End ? "<EOF>" : Peek.Text)}'");
    }

    private string ExpectIdentifier()
    {
        var token = Next();
        if (token.Kind != TokenKind.Identifier) throw new CelSyntaxException($"Syntax error: expected an identifier but found '{token.Text}'");
        return token.Text;
    }

    private static readonly string[] Operators = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "+", "-", "*", "/", "%", "?", ":", ".", ",", "(", ")", "[", "]", "{", "}"];

    private static List<Token> Tokenize(string source)
    {
        var result = new List<Token>();
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '/' && i + 1 < source.Length && source[i + 1] == '/')
            {
                while (i < source.Length && source[i] != '\n') i++;
                continue;
            }
            if (IsStringStart(source, i, out var raw, out var quoteAt))
            {
                var (value, end) = ReadString(source, quoteAt, raw);
                result.Add(new Token(TokenKind.String, source[i..end], value));
                i = end;
                continue;
            }
            if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < source.Length && (char.IsLetterOrDigit(source[i]) || source[i] == '_')) i++;
                result.Add(new Token(TokenKind.Identifier, source[start..i]));
                continue;
            }
            if (char.IsDigit(c) || (c == '.' && i + 1 < source.Length && char.IsDigit(source[i + 1])))
            {
                result.Add(new Token(TokenKind.Number, ReadNumber(source, ref i)));
                continue;
            }
            var op = Operators.FirstOrDefault(o => string.CompareOrdinal(source, i, o, 0, o.Length) == 0)
                ?? throw new CelSyntaxException($"Syntax error: token recognition error at: '{c}'");
            result.Add(new Token(TokenKind.Operator, op));
            i += op.Length;
        }
        result.Add(new Token(TokenKind.End, ""));
        return result;
    }

    private static bool IsStringStart(string source, int i, out bool raw, out int quoteAt)
    {
        raw = false;
        quoteAt = i;
        if (source[i] is 'r' or 'R' && i + 1 < source.Length && source[i + 1] is '\'' or '"')
        {
            raw = true;
            quoteAt = i + 1;
            return true;
        }
        return source[i] is '\'' or '"';
    }

    private static (string Value, int End) ReadString(string source, int quoteAt, bool raw)
    {
        var quote = source[quoteAt];
        var triple = string.CompareOrdinal(source, quoteAt, new string(quote, 3), 0, 3) == 0;
        var delimiter = triple ? new string(quote, 3) : quote.ToString();
        var i = quoteAt + delimiter.Length;
        var text = new StringBuilder();
        while (true)
        {
            if (i >= source.Length || (!triple && source[i] == '\n')) throw new CelSyntaxException("Syntax error: unterminated string literal");
            if (string.CompareOrdinal(source, i, delimiter, 0, delimiter.Length) == 0) return (text.ToString(), i + delimiter.Length);
            if (source[i] == '\\' && !raw)
            {
                i = ReadEscape(source, i + 1, text);
                continue;
            }
            text.Append(source[i++]);
        }
    }

    private static int ReadEscape(string source, int i, StringBuilder text)
    {
        if (i >= source.Length) throw new CelSyntaxException("Syntax error: unterminated string literal");
        var c = source[i];
        switch (c)
        {
            case 'a': text.Append('\a'); return i + 1;
            case 'b': text.Append('\b'); return i + 1;
            case 'f': text.Append('\f'); return i + 1;
            case 'n': text.Append('\n'); return i + 1;
            case 'r': text.Append('\r'); return i + 1;
            case 't': text.Append('\t'); return i + 1;
            case 'v': text.Append('\v'); return i + 1;
            case '\\' or '\'' or '"' or '`' or '?': text.Append(c); return i + 1;
            case 'x' or 'X': return AppendCodePoint(source, i + 1, 2, 16, text);
            case 'u': return AppendCodePoint(source, i + 1, 4, 16, text);
            case 'U': return AppendCodePoint(source, i + 1, 8, 16, text);
            case >= '0' and <= '3': return AppendCodePoint(source, i, 3, 8, text);
            default: throw new CelSyntaxException($"Syntax error: invalid escape sequence \\{c}");
        }
    }

    private static int AppendCodePoint(string source, int start, int length, int radix, StringBuilder text)
    {
        if (start + length > source.Length) throw new CelSyntaxException("Syntax error: truncated escape sequence");
        var code = Convert.ToInt32(source.Substring(start, length), radix);
        text.Append(char.ConvertFromUtf32(code));
        return start + length;
    }

    private static string ReadNumber(string source, ref int i)
    {
        var start = i;
        if (source[i] == '0' && i + 1 < source.Length && source[i + 1] is 'x' or 'X')
        {
            i += 2;
            while (i < source.Length && Uri.IsHexDigit(source[i])) i++;
        }
        else
        {
            while (i < source.Length && char.IsDigit(source[i])) i++;
            // "1.size()" is not a double: a dot makes a fraction only when a digit follows.
            if (i + 1 < source.Length && source[i] == '.' && char.IsDigit(source[i + 1]))
            {
                i++;
                while (i < source.Length && char.IsDigit(source[i])) i++;
            }
            if (i < source.Length && source[i] is 'e' or 'E')
            {
                i++;
                if (i < source.Length && source[i] is '+' or '-') i++;
                while (i < source.Length && char.IsDigit(source[i])) i++;
            }
        }
        if (i < source.Length && source[i] is 'u' or 'U') i++;
        return source[start..i];
    }
}
