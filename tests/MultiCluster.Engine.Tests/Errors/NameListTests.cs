using MultiCluster.Engine.Errors;

// In the root namespace: a MultiCluster.Engine.Tests.Errors namespace would hide MultiCluster.Engine.Errors from the other tests.

namespace MultiCluster.Engine.Tests;

public class NameListTests
{
    [Theory]
    [InlineData(0, "")]
    [InlineData(1, "n1")]
    [InlineData(6, "n1, n2, n3, n4, n5, n6")]
    [InlineData(7, "n1, n2, n3, n4, n5 and 2 more")]
    [InlineData(500, "n1, n2, n3, n4, n5 and 495 more")]
    public void A_few_names_are_all_shown_and_many_are_the_first_five_and_a_count(int count, string expected) =>
        NameList.Brief(Enumerable.Range(1, count).Select(i => $"n{i}")).Should().Be(expected);
}
