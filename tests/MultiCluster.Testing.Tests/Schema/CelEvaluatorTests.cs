using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer.Schema;
using MultiCluster.Testing.ApiServer.Schema.Cel;

namespace MultiCluster.Testing.Tests.Schema;

/// <summary>The CEL subset the emulator evaluates, held to the CEL spec's results.</summary>
public sealed class CelEvaluatorTests
{
    private static readonly StructuralSchemaNode PortSchema = StructuralSchemaNode.Parse(YamlJson.One("""
        type: object
        properties:
          name: {type: string}
          port: {type: integer}
          weight: {type: number}
          timeout: {type: string, format: duration}
          tags: {type: array, items: {type: string}}
          labels: {type: object, additionalProperties: {type: string}}
        """));

    private static object? Eval(string rule, string selfJson = "{}", string? oldSelfJson = null)
    {
        var variables = new Dictionary<string, object?> { ["self"] = CelValues.FromJson(JsonNode.Parse(selfJson), PortSchema) };
        if (oldSelfJson is not null) variables["oldSelf"] = CelValues.FromJson(JsonNode.Parse(oldSelfJson), PortSchema);
        return CelEvaluator.Evaluate(CelParser.Parse(rule), variables);
    }

    [Theory]
    [InlineData("1 + 2 * 3 == 7")]
    [InlineData("(1 + 2) * 3 == 9")]
    [InlineData("7 / 2 == 3 && 7 % 2 == 1 && -7 / 2 == -3")]
    [InlineData("1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 3 && 1 != 2")]
    [InlineData("1 == 1.0 && 1u == 1 && 2.5 > 2")]
    [InlineData("'abc' < 'abd' && 'a' + 'b' == 'ab'")]
    [InlineData("(true ? (false ? 1 : 2) : 3) == 2 && (false ? 1 == 2 : true ? true : false)")]
    [InlineData("!false && !(1 > 2)")]
    [InlineData("2 in [1, 2, 3] && !(4 in [1, 2, 3]) && 'a' in {'a': 1}")]
    [InlineData("[1, 2] + [3] == [1, 2, 3] && {'a': 1} == {'a': 1}")]
    [InlineData("size('héllo') == 5 && 'héllo'.size() == 5 && size([1, 2]) == 2 && {'a': 1}.size() == 1")]
    [InlineData("'unix:///run/x'.startsWith('unix://') && 'a/'.endsWith('/') && 'a*b'.contains('*')")]
    [InlineData("'unix:///run'.substring(7, 8) == '/' && 'abc'.substring(1) == 'bc'")]
    [InlineData("'Linux'.matches('^(Linux|NTFS)$') && !'Other'.matches('^(Linux|NTFS)$') && matches('abc', 'b')")]
    [InlineData("duration('1h30m') > duration('90m') == false && duration('1.5s') == duration('1500ms') && duration('999us') < duration('1ms')")]
    [InlineData("int('42') == 42 && string(42) == '42' && double(1) == 1.0 && uint(3) == 3u && bool('true')")]
    [InlineData("[1, 2, 3].all(x, x > 0) && [1, 2, 3].exists(x, x == 2) && [1, 2, 3].exists_one(x, x > 2)")]
    [InlineData("[1, 2, 3].filter(x, x > 1) == [2, 3] && [1, 2, 3].map(x, x * 2) == [2, 4, 6] && [1, 2, 3].map(x, x > 1, x) == [2, 3]")]
    [InlineData("{'a': 1, 'b': 2}.all(k, k.size() == 1) && {'a': 1}.exists(k, k == 'a')")]
    [InlineData("has({'a': 1}.a) && !has({'a': 1}.b)")]
    [InlineData("'ABC'.lowerAscii() == 'abc' && 'a,b'.split(',') == ['a', 'b'] && ['a', 'b'].join('-') == 'a-b' && ' x '.trim() == 'x'")]
    [InlineData("[1, 2, 3].isSorted() && [3, 1, 2].sum() == 6 && [3, 1, 2].min() == 1 && [3, 1, 2].max() == 3")]
    [InlineData(@"'a\'b' == ""a'b"" && r'\d' == '\\d' && '''x''' == 'x' && '\u00e9' == 'é'")]
    [InlineData("-9223372036854775808 < 0 && 0x10 == 16")]
    public void Expressions_evaluate_to_true(string rule) => Eval(rule).Should().Be(true);

    [Fact]
    public void Fields_of_self_are_typed_by_the_schema_and_absent_fields_are_absent()
    {
        const string port = """{"name": "http", "port": 80, "weight": 2, "timeout": "1.5s", "labels": {"a": "b"}}""";

        Eval("self.name == 'http' && self.port == 80 && self.weight == 2.0 && self.labels.a == 'b' && self.labels['a'] == 'b'", port).Should().Be(true);
        Eval("self.timeout == duration('1500ms')", port).Should().Be(true, "a string of format duration is a duration");
        Eval("has(self.name) && !has(self.tags) && !has(self.labels.x)", port).Should().Be(true);
        Eval("self.weight", port).Should().BeOfType<double>("a number field is a double even when the JSON has no fraction");
    }

    [Theory]
    [InlineData("self.tags.size() == 0", "no such key: tags")]
    [InlineData("self.labels['x'] == 'y'", "no such key: x")]
    [InlineData("[1][2] == 1", "index out of bounds: 2")]
    [InlineData("1 / 0 == 1", "division by zero")]
    [InlineData("9223372036854775807 + 1 > 0", "integer overflow")]
    [InlineData("duration('soon') > duration('1s')", "type conversion error from 'string' to 'google.protobuf.Duration'")]
    [InlineData("'abc'.substring(2, 9) == ''", "index out of range: 9")]
    [InlineData("self.name.frobnicate()", "no such overload")]
    [InlineData("self.tags.all(t, t != '')", "no such key: tags")]
    [InlineData("[1, 2].exists_one(x, self.tags.size() == x)", "no such key: tags")]
    public void Runtime_errors_have_cel_go_wording(string rule, string error)
    {
        var evaluate = () => Eval(rule, """{"name": "http", "labels": {"a": "b"}}""");

        evaluate.Should().Throw<CelEvaluationException>().WithMessage(error);
    }

    [Theory]
    [InlineData("true || self.tags.size() > 0")]
    [InlineData("self.tags.size() > 0 || true")]
    [InlineData("!(false && self.tags.size() > 0)")]
    [InlineData("!(self.tags.size() > 0 && false)")]
    [InlineData("[0, 1].exists(x, x == 1 || self.tags[x] == '')")]
    [InlineData("![1, 2].all(x, x == 2 && self.tags.size() == 0)")]
    public void Logical_operators_and_quantifiers_absorb_an_error_the_other_side_decides(string rule) =>
        Eval(rule, """{"name": "http"}""").Should().Be(true);

    [Fact]
    public void OldSelf_is_bound_to_the_old_value()
    {
        Eval("self.port == oldSelf.port", """{"port": 80}""", """{"port": 80}""").Should().Be(true);
        Eval("self.port == oldSelf.port", """{"port": 81}""", """{"port": 80}""").Should().Be(false);
    }

    [Theory]
    [InlineData("self.port ==", "Syntax error: unexpected end of expression")]
    [InlineData("self.port == 'a", "Syntax error: unterminated string literal")]
    [InlineData("has(self)", "Syntax error: invalid argument to has() macro")]
    [InlineData("self.port # 1", "Syntax error: token recognition error at: '#'")]
    public void Rules_that_do_not_parse_are_syntax_errors(string rule, string error)
    {
        var parse = () => CelParser.Parse(rule);

        parse.Should().Throw<CelSyntaxException>().WithMessage(error);
    }
}
