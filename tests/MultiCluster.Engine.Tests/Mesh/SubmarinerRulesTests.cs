using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Mesh;

namespace MultiCluster.Engine.Tests.Mesh;

/// <summary>Cluster ids as subctl takes them and global CIDRs as the Submariner operator allocates them.</summary>
public sealed class SubmarinerRulesTests
{
    // subctl's own cases (pkg/cluster/id_test.go).
    [Theory]
    [InlineData("abcdef", "abcdef")]
    [InlineData("a0b1c2d3---e4f5", "a0b1c2d3---e4f5")]
    [InlineData("A1b2c3d4e5f6", "a1b2c3d4e5f6")]
    [InlineData("a1-B2-c3-D4", "a1-b2-c3-d4")]
    [InlineData("abcdéfg", "abcd-fg")]
    [InlineData("abcde.g", "abcde-g")]
    [InlineData("-abcdef", "0abcdef")]
    [InlineData("abcdef-", "abcdef0")]
    [InlineData("éabcdef", "0abcdef")]
    [InlineData("a@#$b@#$c", "a-b-c")]
    [InlineData("@abc!@#123@", "0abc-1230")]
    [InlineData(".@#$_", "0")]
    [InlineData("Prod_USE1.01", "prod-use1-01")]
    [InlineData("", "")]
    public void Sanitises_a_name_into_a_cluster_id_as_subctl_does(string name, string id) =>
        SubmarinerRules.SanitizeClusterId(name).Should().Be(id);

    [Theory]
    [InlineData("prod-use1", null)]
    [InlineData("012345", null)]
    [InlineData("", "is empty")]
    [InlineData("Prod", "is not a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit)")]
    [InlineData("prod-", "is not a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit)")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123", "is longer than 63 characters")]
    public void A_cluster_id_must_be_a_DNS_1123_label(string id, string? problem) =>
        SubmarinerRules.ClusterIdProblem(id).Should().Be(problem);

    [Theory]
    [InlineData("242.0.0.0/8", 65536, 65536, null)]
    [InlineData("242.0.0.0/8", 1000, 1024, null)]
    [InlineData("242.0.0.0/8", 8388608, 8388608, null)]
    [InlineData("242.0.0.0/8", 8388609, 0, "cluster size 8388609 (rounded up to 16777216) is more than half of 242.0.0.0/8 (8388608 addresses)")]
    [InlineData("242.0.0.0/16", 65536, 0, "cluster size 65536 (rounded up to 65536) is more than half of 242.0.0.0/16 (32768 addresses)")]
    public void The_cluster_size_is_rounded_up_to_a_power_of_two_and_at_most_half_the_range(string range, int size, int expected, string? problem)
    {
        Cidrs.TryParse(range, out var cidr).Should().BeTrue();

        SubmarinerRules.ValidClusterSize(cidr, size).Should().Be((expected, problem));
    }

    [Theory]
    [InlineData("242.0.0.0/8", null)]
    [InlineData("242.1.2.3/8", null)]
    [InlineData("242.0.0.0", "is not a CIDR")]
    [InlineData("127.0.0.0/8", "is in the loopback range")]
    [InlineData("169.254.0.0/16", "is in the link-local range")]
    [InlineData("0.0.0.0/8", "is unspecified")]
    [InlineData("fd00::/8", "is not IPv4 (Globalnet allocates IPv4 only)")]
    public void The_Globalnet_range_must_be_a_usable_IPv4_network(string range, string? problem)
    {
        var (parsed, found) = SubmarinerRules.ParseGlobalnetRange(range);

        found.Should().Be(problem);
        if (problem is null) parsed.ToString().Should().Be("242.0.0.0/8");
    }

    [Fact]
    public void Allocates_the_lowest_free_block_of_the_cluster_size_around_what_is_taken()
    {
        Cidrs.TryParse("242.0.0.0/8", out var range);
        Cidr Parse(string text) => Cidrs.TryParse(text, out var cidr) ? cidr : throw new FormatException(text);

        SubmarinerRules.AllocateGlobalCidr(range, 65536, []).ToString().Should().Be("242.0.0.0/16");
        SubmarinerRules.AllocateGlobalCidr(range, 65536, [Parse("242.0.0.0/16"), Parse("242.2.0.0/16")]).ToString().Should().Be("242.1.0.0/16");
        SubmarinerRules.AllocateGlobalCidr(range, 65536, [Parse("242.0.0.0/15")]).ToString().Should().Be("242.2.0.0/16");
        SubmarinerRules.AllocateGlobalCidr(range, 1024, [Parse("242.0.0.0/24")]).ToString().Should().Be("242.0.4.0/22");
        SubmarinerRules.AllocateGlobalCidr(range, 8388608, [Parse("242.0.0.0/9"), Parse("242.128.0.0/9")]).Should().BeNull();
    }
}
