using MultiCluster.Engine.Configuration;
using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Tests.Configuration;

public class DeploymentReferencesTests
{
    [Fact]
    public void Volumes_projected_volumes_env_and_envFrom_of_containers_and_init_containers_are_uses()
    {
        var deployment = ManifestReader.ReadText("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: web, namespace: shop }
            spec:
              selector: { matchLabels: { app: web } }
              template:
                metadata: { labels: { app: web } }
                spec:
                  volumes:
                    - { name: a, secret: { secretName: mounted } }
                    - { name: b, configMap: { name: settings } }
                    - name: c
                      projected: { sources: [ { secret: { name: projected-secret } }, { configMap: { name: projected-map } } ] }
                  initContainers:
                    - name: init
                      image: busybox
                      envFrom: [ { secretRef: { name: init-env } } ]
                  containers:
                    - name: web
                      image: nginx
                      env:
                        - { name: A, valueFrom: { secretKeyRef: { name: env-secret, key: k } } }
                        - { name: B, valueFrom: { configMapKeyRef: { name: env-map, key: k } } }
                        - { name: C, value: plain }
                      envFrom: [ { configMapRef: { name: all-settings } } ]
            """)[0];

        var used = DeploymentReferences.Used(deployment);

        used.Should().HaveCount(8);
        used.Should().BeEquivalentTo(new[]
        {
            ("Secret", "mounted"), ("ConfigMap", "settings"), ("Secret", "projected-secret"), ("ConfigMap", "projected-map"),
            ("Secret", "init-env"), ("Secret", "env-secret"), ("ConfigMap", "env-map"), ("ConfigMap", "all-settings"),
        });
    }

    [Fact]
    public void A_Deployment_using_nothing_uses_nothing()
    {
        var deployment = ManifestReader.ReadText("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: web }
            spec: { template: { spec: { containers: [ { name: web, image: nginx } ] } } }
            """)[0];

        DeploymentReferences.Used(deployment).Should().BeEmpty();
    }
}
