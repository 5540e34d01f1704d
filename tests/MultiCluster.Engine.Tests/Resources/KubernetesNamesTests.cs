using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Tests.Resources;

/// <summary>The API server's name rules, checked before a request.</summary>
public sealed class KubernetesNamesTests
{
    [Theory]
    [InlineData("web", null)]
    [InlineData("a", null)]
    [InlineData("web-1", null)]
    [InlineData("", "is empty")]
    [InlineData("Web", "is not a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit)")]
    [InlineData("web.front", "is not a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit)")]
    [InlineData("-web", "is not a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit)")]
    public void A_dns_label_is_lower_case_alphanumerics_and_dashes(string name, string? problem) =>
        KubernetesNames.DnsLabelProblem(name).Should().Be(problem);

    [Fact]
    public void Length_limits_are_63_for_a_label_and_253_for_a_subdomain()
    {
        KubernetesNames.DnsLabelProblem(new string('a', 63)).Should().BeNull();
        KubernetesNames.DnsLabelProblem(new string('a', 64)).Should().Be("is 64 characters long; at most 63 are allowed");
        KubernetesNames.DnsSubdomainProblem(new string('a', 253)).Should().BeNull();
        KubernetesNames.DnsSubdomainProblem(new string('a', 254)).Should().Be("is 254 characters long; at most 253 are allowed");
    }

    [Theory]
    [InlineData("nightly.eu-west", null)]
    [InlineData("primary", null)]
    [InlineData("primary_store", "is not a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)")]
    [InlineData("nightly..eu", "is not a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)")]
    [InlineData("Nightly Run", "is not a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)")]
    public void A_dns_subdomain_allows_dots_between_labels(string name, string? problem) =>
        KubernetesNames.DnsSubdomainProblem(name).Should().Be(problem);
}
