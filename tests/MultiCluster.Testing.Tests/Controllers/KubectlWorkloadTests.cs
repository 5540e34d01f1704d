using MultiCluster.Testing.Controllers;

namespace MultiCluster.Testing.Tests.Controllers;

/// <summary>kubectl's view of the simulated workload controllers: ReplicaSets and pods, StatefulSet rollout, Job completion.</summary>
public sealed class KubectlWorkloadTests : IAsyncLifetime
{
    private readonly string _kubeconfig = Path.Combine(Path.GetTempPath(), "multicluster-workloads-" + Guid.NewGuid().ToString("N"), "config");
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

    private Task<TestSupport.KubectlResult> Kubectl(params string[] args) => KubectlWithInput(null, args);

    private async Task<TestSupport.KubectlResult> KubectlWithInput(string? stdin, params string[] args)
    {
        var result = await TestSupport.KubectlAsync(_kubeconfig, stdin, args);
        result.ExitCode.Should().Be(0, $"kubectl {string.Join(' ', args)} failed: {result.Stderr}");
        return result;
    }

    [RequiresKubectlFact]
    public async Task Get_shows_the_replica_set_and_running_pods_behind_a_deployment()
    {
        await Kubectl("create", "deployment", "shop", "--image=nginx:1.27", "--replicas=2");
        (await Kubectl("rollout", "status", "deployment/shop", "--timeout=30s")).Stdout.Should().Contain("deployment \"shop\" successfully rolled out");

        var hash = (await Kubectl("get", "rs", "-l", "app=shop", "-o", "jsonpath={.items[0].metadata.labels.pod-template-hash}")).Stdout;
        hash.Should().MatchRegex("^[bcdfghjklmnpqrstvwxz2456789]+$");
        var rows = (await Kubectl("get", "rs,pods", "-l", "app=shop", "--no-headers")).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        rows.Should().HaveCount(3, "one ReplicaSet and two pods:\n" + string.Join('\n', rows));
        rows[0].Should().MatchRegex($@"^replicaset\.apps/shop-{hash}\s+2\s+2\s+2\s+\S+$");
        rows.Skip(1).Should().OnlyContain(row => System.Text.RegularExpressions.Regex.IsMatch(row, $@"^pod/shop-{hash}-[a-z0-9]{{5}}\s+1/1\s+Running\s+0\s+\S+$"));

        await Kubectl("set", "image", "deployment/shop", "nginx=nginx:1.28");
        await Kubectl("rollout", "status", "deployment/shop", "--timeout=30s");
        var sets = (await Kubectl("get", "rs", "-l", "app=shop", "-o", "jsonpath={range .items[*]}{.spec.replicas}/{.metadata.annotations.deployment\\.kubernetes\\.io/revision} {end}")).Stdout;
        sets.Split(' ', StringSplitOptions.RemoveEmptyEntries).Should().BeEquivalentTo(["0/1", "2/2"], "the old ReplicaSet is scaled to zero and kept");
        (await Kubectl("get", "pods", "-l", "app=shop", "-o", "jsonpath={.items[*].spec.containers[0].image}")).Stdout
            .Split(' ').Should().Equal("nginx:1.28", "nginx:1.28");
    }

    [RequiresKubectlFact]
    public async Task Rollout_status_of_a_stateful_set_and_wait_for_a_complete_job()
    {
        const string statefulSet = """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: cache
            spec:
              replicas: 3
              serviceName: cache
              selector:
                matchLabels: {app: cache}
              template:
                metadata:
                  labels: {app: cache}
                spec:
                  containers:
                  - name: cache
                    image: redis:7.4
            """;
        await KubectlWithInput(statefulSet, "apply", "-f", "-", "--server-side", "--field-manager=test");
        (await Kubectl("rollout", "status", "statefulset/cache", "--timeout=30s")).Stdout
            .Should().Contain("partitioned roll out complete: 3 new pods have been updated...");
        (await Kubectl("get", "pods", "-l", "app=cache", "-o", "jsonpath={.items[*].metadata.name}")).Stdout
            .Split(' ').Should().Equal("cache-0", "cache-1", "cache-2");

        await Kubectl("create", "job", "once", "--image=busybox:1.37", "--", "sh", "-c", "echo done");
        (await Kubectl("wait", "--for=condition=complete", "job/once", "--timeout=30s")).Stdout.Should().Contain("job.batch/once condition met");
        (await Kubectl("get", "job", "once", "--no-headers")).Stdout.Should().MatchRegex(@"^once\s+Complete\s+1/1\s+\S+\s*$");
    }
}
