using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Testing.Tests;

public class TableTests
{
    [Theory]
    [InlineData(5, "5s")]
    [InlineData(119, "119s")]
    [InlineData(150, "2m30s")]
    [InlineData(600, "10m")]
    [InlineData(3 * 3600 + 5 * 60, "3h5m")]
    [InlineData(30 * 3600, "30h")]
    [InlineData(3 * 86400 + 7200, "3d2h")]
    [InlineData(100 * 86400, "100d")]
    [InlineData(3 * 365 * 86400 + 86400, "3y1d")]
    public void Age_is_printed_as_kubectl_prints_it(long seconds, string expected) =>
        Tables.HumanDuration(TimeSpan.FromSeconds(seconds)).Should().Be(expected);
}
