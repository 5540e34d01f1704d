using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Inventory;

public enum LabelOperator
{
    Equals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

/// <summary>One requirement of a label selector, for example <c>env in (prod,staging)</c>.</summary>
public sealed record LabelRequirement(string Key, LabelOperator Operator, IReadOnlyList<string> Values)
{
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        var present = labels.TryGetValue(Key, out var value);
        return Operator switch
        {
            LabelOperator.Exists => present,
            LabelOperator.DoesNotExist => !present,
            LabelOperator.Equals or LabelOperator.In => present && Values.Contains(value!, StringComparer.Ordinal),
            LabelOperator.NotEquals or LabelOperator.NotIn => !present || !Values.Contains(value!, StringComparer.Ordinal),
            _ => false,
        };
    }
}

/// <summary>
/// A label selector in kubectl's syntax: <c>env=prod</c>, <c>env==prod</c>, <c>env!=prod</c>,
/// <c>tier in (gold,silver)</c>, <c>tier notin (bronze)</c>, <c>gpu</c>, <c>!gpu</c>; commas AND them.
/// </summary>
public sealed class LabelSelector
{
    private LabelSelector(string text, IReadOnlyList<LabelRequirement> requirements)
    {
        Text = text;
        Requirements = requirements;
    }

    public string Text { get; }
    public IReadOnlyList<LabelRequirement> Requirements { get; }

    /// <summary>True when every requirement holds (an empty selector matches everything).</summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels) => Requirements.All(r => r.Matches(labels));

    public override string ToString() => Text;

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FleetInputException"/> (SelectorInvalid) saying where it is wrong.</summary>
    public static LabelSelector Parse(string text) => new(text, new Parser(text).ParseAll());

    private sealed class Parser(string text)
    {
        private int _position;

        public List<LabelRequirement> ParseAll()
        {
            var requirements = new List<LabelRequirement>();
            SkipSpaces();
            if (AtEnd) return requirements;
            while (true)
            {
                requirements.Add(ParseRequirement());
                SkipSpaces();
                if (AtEnd) return requirements;
                Expect(',');
            }
        }

        private bool AtEnd => _position >= text.Length;
        private char Current => text[_position];

        private LabelRequirement ParseRequirement()
        {
            SkipSpaces();
            if (!AtEnd && Current == '!')
            {
                _position++;
                SkipSpaces();
                return new LabelRequirement(ReadKey(), LabelOperator.DoesNotExist, Array.Empty<string>());
            }

            var key = ReadKey();
            SkipSpaces();
            if (AtEnd || Current == ',') return new LabelRequirement(key, LabelOperator.Exists, Array.Empty<string>());

            if (Current == '=')
            {
                _position++;
                if (!AtEnd && Current == '=') _position++;
                return new LabelRequirement(key, LabelOperator.Equals, new[] { ReadValue() });
            }
            if (Current == '!')
            {
                _position++;
                Expect('=');
                return new LabelRequirement(key, LabelOperator.NotEquals, new[] { ReadValue() });
            }

            var wordStart = _position;
            var word = ReadWhile(char.IsLetter);
            return word switch
            {
                "in" => new LabelRequirement(key, LabelOperator.In, ReadSet()),
                "notin" => new LabelRequirement(key, LabelOperator.NotIn, ReadSet()),
                _ => throw Fail(wordStart, $"expected '=', '==', '!=', 'in', 'notin' or ',' after the key '{key}'"),
            };
        }

        private string ReadKey()
        {
            SkipSpaces();
            var start = _position;
            var key = ReadWhile(IsTokenChar);
            if (key.Length == 0) throw Fail(start, "expected a label key");
            var problem = LabelRules.KeyProblem(key);
            if (problem is not null) throw Fail(start, $"'{key}' is not a valid label key: {problem}");
            return key;
        }

        private string ReadValue()
        {
            SkipSpaces();
            var start = _position;
            var value = ReadWhile(IsTokenChar);
            var problem = LabelRules.ValueProblem(value);
            if (problem is not null) throw Fail(start, $"'{value}' is not a valid label value: {problem}");
            return value;
        }

        private List<string> ReadSet()
        {
            SkipSpaces();
            Expect('(');
            var values = new List<string>();
            while (true)
            {
                values.Add(ReadValue());
                SkipSpaces();
                if (!AtEnd && Current == ')')
                {
                    _position++;
                    return values;
                }
                if (AtEnd) throw Fail(_position, "expected ')' to close the value set");
                Expect(',');
            }
        }

        private string ReadWhile(Func<char, bool> accept)
        {
            var start = _position;
            while (!AtEnd && accept(Current)) _position++;
            return text[start.._position];
        }

        private static bool IsTokenChar(char c) => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or '/';

        private void Expect(char expected)
        {
            SkipSpaces();
            if (AtEnd || Current != expected) throw Fail(_position, $"expected '{expected}'");
            _position++;
        }

        private void SkipSpaces()
        {
            while (!AtEnd && char.IsWhiteSpace(Current)) _position++;
        }

        private FleetInputException Fail(int position, string what)
        {
            var found = position >= text.Length ? "the end" : $"'{text[position]}'";
            return new FleetInputException(FleetErrorIds.SelectorInvalid, FleetErrorCategory.InvalidArgument, text,
                $"The label selector '{text}' is invalid at position {position + 1} ({found}): {what}.",
                recommendedAction: "Use kubectl's syntax: key=value, key!=value, key in (a,b), key notin (a,b), key, !key; separate requirements with commas.");
        }
    }
}
