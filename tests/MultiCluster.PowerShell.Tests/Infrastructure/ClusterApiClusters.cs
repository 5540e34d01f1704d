namespace MultiCluster.PowerShell.Tests.Infrastructure;

/// <summary>Workload clusters made on a <see cref="ClusterApiFixture"/>'s management cluster from Cluster API manifests, for the upgrade tests.</summary>
public static class ClusterApiClusters
{
    public const string FromVersion = "v1.32.3";

    /// <summary>
    /// A session whose fleet is the management cluster (mgmt, role management) plus the named
    /// workload clusters, created here at <see cref="FromVersion"/> (one control plane machine, two
    /// workers) from Cluster API manifests applied with Invoke-FleetApply, each reachable through
    /// the kubeconfig Cluster API wrote for it.
    /// </summary>
    public static PowerShellSession NewSessionWithClusters(this ClusterApiFixture fixture, string[] names, AnsweringHost? host = null)
    {
        var session = new PowerShellSession(host: host);
        var fleet = $"""
            name: capi-fleet
            clusters:
              - name: mgmt
                context: {fixture.Management.Contexts[0]}
                role: management
            """;
        session.Run("Import-Fleet -Content $args[0] -Kubeconfig $args[1]", fleet, fixture.Management.Kubeconfig).ThrowIfFailed();
        session.Run("$args[0] | Invoke-FleetApply -Cluster mgmt", string.Join("\n---\n", names.Select(Manifests))).ThrowIfFailed();
        foreach (var name in names)
        {
            var path = Path.Combine(fixture.Management.Directory, name + ".kubeconfig");
            session.Run("""
                $deadline = [DateTime]::UtcNow.AddSeconds(90)
                while (-not ($secret = Get-FleetResource Secret "$($args[0])-kubeconfig" -Namespace default -Cluster mgmt -ErrorAction SilentlyContinue)) {
                    if ([DateTime]::UtcNow -gt $deadline) { throw "cluster $($args[0]) was not provisioned" }
                    [Threading.Thread]::Sleep(250)
                }
                # It holds the cluster's admin token: owner-only from its first byte.
                $stream = [IO.FileStream]::new($args[1], [IO.FileStreamOptions]@{ Mode = 'Create'; Access = 'Write'; UnixCreateMode = 'UserRead, UserWrite' })
                try { $bytes = [Convert]::FromBase64String($secret.Object.data.value); $stream.Write($bytes, 0, $bytes.Length) } finally { $stream.Dispose() }
                """, name, path).ThrowIfFailed();
            fleet += $"""

                  - name: {name}
                    context: {name}-admin@{name}
                    kubeconfig: {path}
                """;
        }
        session.Run("Import-Fleet -Content $args[0] -Kubeconfig $args[1]", fleet, fixture.Management.Kubeconfig).ThrowIfFailed();
        return session;
    }

    /// <summary>A Docker cluster as Cluster API v1beta2 takes it: Cluster, KubeadmControlPlane and one MachineDeployment.</summary>
    private static string Manifests(string name) => $"""
        apiVersion: cluster.x-k8s.io/v1beta2
        kind: Cluster
        metadata:
          name: {name}
          namespace: default
        spec:
          controlPlaneRef:
            apiGroup: controlplane.cluster.x-k8s.io
            kind: KubeadmControlPlane
            name: {name}-control-plane
        ---
        apiVersion: controlplane.cluster.x-k8s.io/v1beta2
        kind: KubeadmControlPlane
        metadata:
          name: {name}-control-plane
          namespace: default
          labels:
            cluster.x-k8s.io/cluster-name: {name}
        spec:
          replicas: 1
          version: {FromVersion}
          machineTemplate:
            spec:
              infrastructureRef:
                apiGroup: infrastructure.cluster.x-k8s.io
                kind: DockerMachineTemplate
                name: {name}-control-plane
        ---
        apiVersion: cluster.x-k8s.io/v1beta2
        kind: MachineDeployment
        metadata:
          name: {name}-md-0
          namespace: default
          labels:
            cluster.x-k8s.io/cluster-name: {name}
        spec:
          clusterName: {name}
          replicas: 2
          selector:
            matchLabels:
              cluster.x-k8s.io/cluster-name: {name}
          template:
            metadata:
              labels:
                cluster.x-k8s.io/cluster-name: {name}
            spec:
              clusterName: {name}
              version: {FromVersion}
              bootstrap:
                configRef:
                  apiGroup: bootstrap.cluster.x-k8s.io
                  kind: KubeadmConfigTemplate
                  name: {name}-md-0
              infrastructureRef:
                apiGroup: infrastructure.cluster.x-k8s.io
                kind: DockerMachineTemplate
                name: {name}-md-0
        """;
}
