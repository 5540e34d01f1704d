using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Inventory.Import;
using MultiCluster.Engine.Tests.Connections;

namespace MultiCluster.Engine.Tests.Inventory.Import;

/// <summary>Export-Fleet's file: what FleetFileParser reads back to the same fleet, without a credential in it.</summary>
public class FleetFileWriterTests
{
    private const string Document = """
        name: prod
        clusters:
          - name: prod-use1-01
            aliases: [prod-use1]
            context: arn:aws:eks:us-east-1:111122223333:cluster/prod-use1-01
            region: us-east-1
            role: management
            labels: { env: prod, tier: gold }
            provider: AWS
            network: { podCidr: 10.244.0.0/16, serviceCidr: 10.96.0.0/12, clusterId: 1, meshNetwork: net1 }
            drPeer: prod-euc1-01
          - name: prod-euc1-01
            region: eu-central-1
            role: dr
        architecture:
          regions:
            - name: ap-south-1
              clusters:
                - name: shop-aps1
                  purpose: production
                  size: 100 nodes
                  k8s_version: "1.31"
          management:
            cluster: prod-use1-01
            purpose: fleet control plane
            tools: [Cluster API, Argo CD]
          networking: { mesh: Cilium Cluster Mesh, cross_cluster: Submariner }
          data: { replication: active-active, backup: Velero to Multi-region S3 }
          identity: { federation: Dex with OIDC, rbac_sync: kubefed RBAC controller }
        """;

    [Fact]
    public void A_written_fleet_reads_back_to_the_same_clusters_and_sections()
    {
        var fleet = FleetFileParser.Parse(Document);

        var text = FleetFileWriter.Write(fleet);
        var back = FleetFileParser.Parse(text);

        back.Name.Should().Be("prod");
        back.Clusters.Should().HaveCount(3);
        back.Clusters.Should().BeEquivalentTo(fleet.Clusters, o => o.WithStrictOrdering());
        back.Architecture.Should().BeEquivalentTo(fleet.Architecture);
        FleetFileWriter.Write(back).Should().Be(text, "a second export writes the same file");
    }

    [Fact]
    public void An_imported_fleet_names_contexts_and_kubeconfig_paths_only()
    {
        var fleet = new Fleet
        {
            Name = "hub",
            SourcePath = "ArgoCD on hub",
            Clusters =
            [
                new FleetCluster { Name = "hub", Context = "kind-hub", Role = FleetClusterRole.Management },
                new FleetCluster { Name = "w1", Context = "w1", Kubeconfig = "/home/admin/w.kubeconfig", Phase = "Provisioned", ManagementCluster = "hub" },
            ],
        };

        var text = FleetFileWriter.Write(fleet);

        text.Should().Be("""
            name: hub
            clusters:
            - name: hub
              context: kind-hub
              role: management
            - name: w1
              kubeconfig: /home/admin/w.kubeconfig
              role: workload

            """.Replace("\r\n", "\n"));
    }

    [Fact]
    public void An_existing_file_is_kept_without_force()
    {
        using var folder = new TempDirectory();
        var path = Path.Combine(folder.Path, "fleet.yaml");
        File.WriteAllText(path, "keep");
        var fleet = FleetFileParser.Parse(Document);

        var act = () => FleetFileWriter.WriteFile(fleet, path, force: false, shownAs: "./fleet.yaml");

        var error = act.Should().Throw<FleetInputException>().Which;
        (error.ErrorId, error.Category, error.Target, error.Message).Should().Be(
            (FleetImportErrorIds.FleetFileExists, FleetErrorCategory.ResourceExists, path, "The fleet file './fleet.yaml' exists."));
        File.ReadAllText(path).Should().Be("keep");
        FleetFileWriter.WriteFile(fleet, path, force: true);
        FleetFileParser.Load(path).Clusters.Should().HaveCount(3);
    }
}
