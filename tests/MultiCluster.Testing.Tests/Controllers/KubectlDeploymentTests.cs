using MultiCluster.Testing.Controllers;

namespace MultiCluster.Testing.Tests.Controllers;

/// <summary>kubectl's view of the simulated deployment controller: create, rollout status, scale.</summary>
public sealed class KubectlDeploymentTests : IAsyncLifetime
{
    private readonly string _kubeconfig = Path.Combine(Path.GetTempPath(), "multicluster-deploy-" + Guid.NewGuid().ToString("N"), "config");
    private readonly List<ApiServer.IController> _controllers = ControllerCatalog.Create(DeploymentController.ControllerName);
    private EmulatedCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Controllers = _controllers });
        KubeconfigWriter.WriteFile(_kubeconfig, _cluster.Kubeconfig());
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(_kubeconfig)!, recursive: true);
    }

    private async Task<TestSupport.KubectlResult> Kubectl(params string[] args)
    {
        var result = await TestSupport.KubectlAsync(_kubeconfig, null, args);
        result.ExitCode.Should().Be(0, $"kubectl {string.Join(' ', args)} failed: {result.Stderr}");
        return result;
    }

    [RequiresKubectlFact]
    public async Task Rollout_status_completes_and_scaling_is_rolled_out()
    {
        await Kubectl("create", "deployment", "web", "--image=nginx:1.27", "--replicas=2");
        var rollout = await Kubectl("rollout", "status", "deployment/web", "--timeout=30s");
        rollout.Stdout.Should().Contain("deployment \"web\" successfully rolled out");

        await Kubectl("scale", "deployment", "web", "--replicas=4");
        await Kubectl("rollout", "status", "deployment/web", "--timeout=30s");
        var available = await Kubectl("get", "deployment", "web", "-o", "jsonpath={.status.availableReplicas}/{.status.observedGeneration}");
        available.Stdout.Should().Be("4/2");
    }
}
