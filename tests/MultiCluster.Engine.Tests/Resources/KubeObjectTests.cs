using System.Text.Json.Nodes;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Tests.Resources;

public class KubeObjectTests
{
    [Fact]
    public void Accessors_read_and_write_common_fields()
    {
        var obj = KubeObject.Parse("""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"r","creationTimestamp":"2024-05-01T10:00:00Z","resourceVersion":"7","uid":"u-1"}}""");

        obj.Group.Should().Be("rbac.authorization.k8s.io");
        obj.Version.Should().Be("v1");
        obj.Namespace.Should().BeNull();
        obj.ResourceVersion.Should().Be("7");
        obj.Uid.Should().Be("u-1");
        obj.CreationTimestamp.Should().Be(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero));

        obj.Namespace = "team";
        obj.SetLabel(KubeObject.ManagedByLabel, KubeObject.ManagedByValue);

        obj.Reference.Should().Be("rbac.authorization.k8s.io/v1 Role team/r");
        obj.Labels.Should().Contain(KubeObject.ManagedByLabel, "multicluster");
        obj.Namespace = null;
        obj.Json["metadata"]!.AsObject().ContainsKey("namespace").Should().BeFalse();
    }

    [Fact]
    public void Clone_is_independent()
    {
        var obj = KubeObject.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}""");

        var copy = obj.Clone();
        copy.Name = "b";

        obj.Name.Should().Be("a");
    }
}
