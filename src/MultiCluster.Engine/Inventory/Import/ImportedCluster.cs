using System.Text.Json.Nodes;

namespace MultiCluster.Engine.Inventory.Import;

/// <summary>
/// One cluster a source knows, with how to reach it in kubeconfig shape: <see cref="Endpoint"/> is a
/// kubeconfig <c>cluster:</c> map (server, certificate-authority-data, ...) and <see cref="User"/> a
/// <c>user:</c> map (token, client certificate, exec). <see cref="Origin"/> names the object it came
/// from for messages; the credentials never go into one.
/// </summary>
internal sealed record ImportedCluster(FleetCluster Cluster, JsonObject Endpoint, JsonObject User, string Origin);

/// <summary>What a source yielded: the clusters it can hand over, and why each other one cannot be imported.</summary>
internal sealed record FleetSourceRead(IReadOnlyList<ImportedCluster> Clusters, IReadOnlyList<string> NotImportable);
