using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;

namespace MultiCluster.Engine.Tests.Inventory;

public class LabelSelectorTests
{
    private static readonly Dictionary<string, string> ProdGold = new() { ["env"] = "prod", ["tier"] = "gold", ["example.com/team"] = "core" };

    [Theory]
    [InlineData("", true)]
    [InlineData("env=prod", true)]
    [InlineData("env==prod", true)]
    [InlineData("env = prod", true)]
    [InlineData("env=dev", false)]
    [InlineData("env!=dev", true)]
    [InlineData("env!=prod", false)]
    [InlineData("missing!=x", true)]
    [InlineData("tier in (gold,silver)", true)]
    [InlineData("tier in ( silver , bronze )", false)]
    [InlineData("tier notin (bronze)", true)]
    [InlineData("tier notin (gold)", false)]
    [InlineData("missing notin (gold)", true)]
    [InlineData("missing in (gold)", false)]
    [InlineData("env", true)]
    [InlineData("gpu", false)]
    [InlineData("!gpu", true)]
    [InlineData("!env", false)]
    [InlineData("env=prod,tier in (gold),!gpu,example.com/team=core", true)]
    [InlineData("env=prod,tier=silver", false)]
    public void Matches_like_kubectl(string selector, bool expected)
    {
        LabelSelector.Parse(selector).Matches(ProdGold).Should().Be(expected);
    }

    [Fact]
    public void Parses_requirements()
    {
        var selector = LabelSelector.Parse("a=1, b in (x,y), !c");

        selector.Requirements.Should().BeEquivalentTo(new[]
        {
            new LabelRequirement("a", LabelOperator.Equals, new[] { "1" }),
            new LabelRequirement("b", LabelOperator.In, new[] { "x", "y" }),
            new LabelRequirement("c", LabelOperator.DoesNotExist, Array.Empty<string>()),
        });
    }

    [Theory]
    [InlineData("env=", 5, null)]
    [InlineData("env=prod,", 10, "expected a label key")]
    [InlineData("env in prod", 8, "expected '('")]
    [InlineData("env in (a,b", 12, "expected ')'")]
    [InlineData("env is prod", 5, "expected '=', '==', '!=', 'in', 'notin'")]
    [InlineData("env=a b", 7, "expected ','")]
    [InlineData("-bad=x", 1, "not a valid label key")]
    [InlineData("env=bad!", 8, "expected ','")]
    [InlineData("env=-x", 5, "not a valid label value")]
    public void Invalid_selectors_say_where(string selector, int position, string? what)
    {
        var act = () => LabelSelector.Parse(selector);

        if (what is null)
        {
            act.Should().NotThrow("an empty value is valid");
            return;
        }
        var error = act.Should().Throw<FleetInputException>().Which;
        error.ErrorId.Should().Be(FleetErrorIds.SelectorInvalid);
        error.Category.Should().Be(FleetErrorCategory.InvalidArgument);
        error.Message.Should().Contain($"at position {position}").And.Contain(what);
    }
}
