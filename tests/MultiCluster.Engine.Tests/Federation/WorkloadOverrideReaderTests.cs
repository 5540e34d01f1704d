using System.Collections;
using System.Collections.Specialized;
using MultiCluster.Engine.Federation;

namespace MultiCluster.Engine.Tests.Federation;

public class WorkloadOverrideReaderTests
{
    [Fact]
    public void Path_value_maps_are_replaces_and_operation_maps_keep_their_op_in_any_key_case()
    {
        var overrides = new OrderedDictionary
        {
            ["prod-*"] = new Hashtable { ["/spec/replicas"] = 5 },
            ["prod-use1"] = new Dictionary<string, object?> { ["Op"] = "Remove", ["Path"] = "/metadata/labels/tier" },
            ["dev-use1"] = new object[] { new Hashtable { ["path"] = "/spec/paused", ["value"] = true } },
        };

        var read = WorkloadOverrideReader.Read(overrides);

        read.Select(o => (o.Cluster, string.Join("; ", o.Operations))).Should().Equal(
            ("prod-*", "replace /spec/replicas"), ("prod-use1", "remove /metadata/labels/tier"), ("dev-use1", "replace /spec/paused"));
        read[0].Operations[0].Value!.GetValue<long>().Should().Be(5);
        read[2].Operations[0].Value!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public void No_overrides_is_an_empty_list()
    {
        WorkloadOverrideReader.Read(null).Should().BeEmpty();
    }
}
