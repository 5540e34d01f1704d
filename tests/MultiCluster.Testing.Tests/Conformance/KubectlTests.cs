using System.Text.Json;

namespace MultiCluster.Testing.Tests.Conformance;

/// <summary>The real kubectl 1.32 against each target (--kubeconfig, --context), in the test's namespace.</summary>
[Trait("Category", "Conformance")]
public sealed class KubectlTests
{
    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: main
                image: nginx:1.27
        """;

    private static void ShouldSucceed(TestSupport.KubectlResult result) => result.ExitCode.Should().Be(0, $"kubectl failed: {result.Stderr}");

    [ConformanceTheory(NeedsKubectl = true)]
    public async Task Kubectl_server_side_apply_reports_the_conflict_forces_patches_prints_and_deletes(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        var ns = new[] { "-n", t.Namespace };
        ShouldSucceed(await t.KubectlAsync(Deployment, ["apply", "--server-side", "-f", "-", .. ns]));
        var conflict = await t.KubectlAsync(Deployment.Replace("replicas: 2", "replicas: 3"), ["apply", "--server-side", "--field-manager", "other", "-f", "-", .. ns]);
        conflict.ExitCode.Should().NotBe(0);
        conflict.Stderr.Should().Contain("Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas");
        ShouldSucceed(await t.KubectlAsync(Deployment.Replace("replicas: 2", "replicas: 3"),
            ["apply", "--server-side", "--field-manager", "other", "--force-conflicts", "-f", "-", .. ns]));

        ShouldSucceed(await t.KubectlAsync(null, ["patch", "deployment", "web", "--type", "merge", "-p", "{\"metadata\":{\"labels\":{\"tier\":\"front\"}}}", .. ns]));
        ShouldSucceed(await t.KubectlAsync(null, ["patch", "deployment", "web", "--type", "json", "-p", "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":5}]", .. ns]));
        ShouldSucceed(await t.KubectlAsync(null, ["patch", "deployment", "web", "--type", "strategic", "-p",
            "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"nginx:1.28\"}]}}}}", .. ns]));

        var json = await t.KubectlAsync(null, ["get", "deployment", "web", "-o", "json", .. ns]);
        ShouldSucceed(json);
        var deployment = JsonDocument.Parse(json.Stdout).RootElement;
        deployment.GetProperty("metadata").GetProperty("labels").GetProperty("tier").GetString().Should().Be("front");
        deployment.GetProperty("spec").GetProperty("replicas").GetInt32().Should().Be(5);
        deployment.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("containers")[0]
            .GetProperty("image").GetString().Should().Be("nginx:1.28");

        // How many are ready differs: the emulator's deployment controller reports replicas ready without pods,
        // a real cluster without nodes never does. The columns and the desired count are the same.
        var table = await t.KubectlAsync(null, ["get", "deployment", "web", .. ns]);
        ShouldSucceed(table);
        table.Stdout.Should().MatchRegex(@"NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+web\s+\d/5\s+\d+\s+\d+\s+\d+s");

        ShouldSucceed(await t.KubectlAsync(null, ["delete", "deployment", "web", "--wait=false", .. ns]));
        var missing = await t.KubectlAsync(null, ["get", "deployment", "web", .. ns]);
        missing.ExitCode.Should().NotBe(0);
        missing.Stderr.Should().Contain("deployments.apps \"web\" not found");
    }

    [ConformanceTheory(NeedsKubectl = true)]
    public async Task Kubectl_as_a_service_account_is_refused_a_role_beyond_its_rights_with_the_servers_message(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        var ns = new[] { "-n", t.Namespace };
        ShouldSucceed(await t.KubectlAsync(null, ["create", "serviceaccount", "manager", .. ns]));
        ShouldSucceed(await t.KubectlAsync(null, ["create", "role", "role-manager", "--verb=create,get,list", "--resource=roles,configmaps", .. ns]));
        ShouldSucceed(await t.KubectlAsync(null, ["create", "rolebinding", "manager-manages", "--role=role-manager", $"--serviceaccount={t.Namespace}:manager", .. ns]));
        var asManager = new[] { "--as", $"system:serviceaccount:{t.Namespace}:manager" };

        var allowed = await t.KubectlAsync(null, ["create", "role", "cm-lister", "--verb=list", "--resource=configmaps", .. asManager, .. ns]);
        var refused = await t.KubectlAsync(null, ["create", "role", "cm-deleter", "--verb=delete", "--resource=configmaps", .. asManager, .. ns]);
        var canI = await t.KubectlAsync(null, ["auth", "can-i", "delete", "configmaps", .. asManager, .. ns]);

        (allowed.ExitCode, allowed.Stdout.Trim()).Should().Be((0, "role.rbac.authorization.k8s.io/cm-lister created"), allowed.Stderr);
        refused.ExitCode.Should().Be(1);
        refused.Stderr.Should().Contain($"roles.rbac.authorization.k8s.io \"cm-deleter\" is forbidden: user \"system:serviceaccount:{t.Namespace}:manager\"")
            .And.Contain("is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"configmaps\"], Verbs:[\"delete\"]}");
        (canI.ExitCode, canI.Stdout.Trim()).Should().Be((1, "no"));
    }
}
