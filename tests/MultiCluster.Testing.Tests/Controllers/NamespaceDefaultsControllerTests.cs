using k8s;
using k8s.Models;
using MultiCluster.Testing.Controllers;
using MultiCluster.Testing.Tests.Auth;

namespace MultiCluster.Testing.Tests.Controllers;

public sealed class NamespaceDefaultsControllerTests
{
    [Fact]
    public async Task Every_namespace_gets_a_default_account_and_the_root_CA_and_keeps_them()
    {
        var controllers = ControllerCatalog.Create(NamespaceDefaultsController.ServiceAccountsName, NamespaceDefaultsController.RootCaPublisherName);
        await using var cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Controllers = controllers });
        using var admin = EmulatorClients.Admin(cluster);
        Task Idle() => Task.WhenAll(controllers.Cast<StoreController>().Select(c => c.WhenIdleAsync()));

        await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "apps" } });
        await Idle();
        (await admin.CoreV1.ReadNamespacedServiceAccountAsync("default", "apps")).Metadata.Name.Should().Be("default");
        (await admin.CoreV1.ReadNamespacedServiceAccountAsync("default", "kube-system")).Should().NotBeNull("namespaces present at start count too");
        var rootCa = await admin.CoreV1.ReadNamespacedConfigMapAsync(NamespaceDefaultsController.RootCaConfigMapName, "apps");
        rootCa.Data["ca.crt"].Should().Be(EmulatedCluster.CertificateAuthorityPem);

        await admin.CoreV1.DeleteNamespacedServiceAccountAsync("default", "apps");
        rootCa.Data["ca.crt"] = "tampered";
        await admin.CoreV1.ReplaceNamespacedConfigMapAsync(rootCa, NamespaceDefaultsController.RootCaConfigMapName, "apps");
        await Idle();
        (await admin.CoreV1.ReadNamespacedServiceAccountAsync("default", "apps")).Should().NotBeNull();
        (await admin.CoreV1.ReadNamespacedConfigMapAsync(NamespaceDefaultsController.RootCaConfigMapName, "apps"))
            .Data["ca.crt"].Should().Be(EmulatedCluster.CertificateAuthorityPem);
        controllers.Cast<StoreController>().Should().OnlyContain(c => c.LastError == null);
    }
}
