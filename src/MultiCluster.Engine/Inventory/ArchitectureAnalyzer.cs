using System.Globalization;
using System.Text.RegularExpressions;

namespace MultiCluster.Engine.Inventory;

/// <summary>
/// Checks a fleet against a multi-region reference architecture: geographic distribution, DR
/// peers in other regions, a management cluster, Kubernetes' published scale limits, unique
/// names and Cilium cluster ids, version skew, and CIDR overlaps between meshed clusters; and the
/// reference-architecture sections against the clusters (a Cilium mesh without cluster ids,
/// active-active data in one region, management tools it cannot vouch for).
/// </summary>
public static partial class ArchitectureAnalyzer
{
    // Kubernetes' published limits for one cluster ("Considerations for large clusters").
    public const int MaxNodesPerCluster = 5000;
    public const int MaxPodsPerNode = 110;
    public const int MaxPodsPerCluster = 150_000;
    public const int MaxContainersPerCluster = 300_000;

    /// <summary>Cilium Cluster Mesh accepts cluster ids 1 to 255.</summary>
    public const int MaxClusterId = 255;

    public static class Rules
    {
        public const string GeographicDistribution = nameof(GeographicDistribution);
        public const string RegionMissing = nameof(RegionMissing);
        public const string DrPeerMissing = nameof(DrPeerMissing);
        public const string DrPeerUnknown = nameof(DrPeerUnknown);
        public const string DrPeerSameRegion = nameof(DrPeerSameRegion);
        public const string ManagementClusterMissing = nameof(ManagementClusterMissing);
        public const string ClusterTooLarge = nameof(ClusterTooLarge);
        public const string ClusterPodCapacity = nameof(ClusterPodCapacity);
        public const string ClusterSizeUnknown = nameof(ClusterSizeUnknown);
        public const string DuplicateClusterName = nameof(DuplicateClusterName);
        public const string DuplicateClusterId = nameof(DuplicateClusterId);
        public const string ClusterIdOutOfRange = nameof(ClusterIdOutOfRange);
        public const string KubernetesVersionSkew = nameof(KubernetesVersionSkew);
        public const string KubernetesVersionUnsupported = nameof(KubernetesVersionUnsupported);
        public const string KubernetesVersionInvalid = nameof(KubernetesVersionInvalid);
        public const string CidrOverlap = nameof(CidrOverlap);
        public const string MeshClusterIdMissing = nameof(MeshClusterIdMissing);
        public const string ActiveActiveSingleRegion = nameof(ActiveActiveSingleRegion);
        public const string ManagementToolUnknown = nameof(ManagementToolUnknown);
        public const string ManagementToolRetired = nameof(ManagementToolRetired);
        public const string ManagementToolMissing = nameof(ManagementToolMissing);
        public const string ArchitectureChoiceUnknown = nameof(ArchitectureChoiceUnknown);
    }

    /// <summary>Management tools the check knows, by the words a tools list uses for them.</summary>
    private static readonly (string[] Names, string Tool)[] KnownTools =
    [
        (["cluster api", "cluster-api", "capi", "clusterctl"], "Cluster API"),
        (["argocd", "argo cd", "argo-cd"], "Argo CD"),
        (["velero"], "Velero"),
        (["prometheus", "thanos", "grafana"], "Prometheus"),
        (["dex"], "Dex"),
        (["kubefed", "kubefedctl"], "KubeFed"),
        (["karmada"], "Karmada"),
        (["istio", "istioctl"], "Istio"),
        (["cilium"], "Cilium"),
        (["external-dns", "externaldns"], "ExternalDNS"),
        (["cert-manager"], "cert-manager"),
    ];

    /// <summary>The findings for <paramref name="fleet"/>; versions are judged against upstream support on <paramref name="today"/> (default: today, UTC).</summary>
    public static IReadOnlyList<FleetArchitectureFinding> Analyze(Fleet fleet, DateOnly? today = null)
    {
        var findings = new List<FleetArchitectureFinding>();
        var clusters = fleet.Clusters;
        CheckRegions(fleet, findings);
        CheckDisasterRecovery(clusters, findings);
        CheckManagement(fleet, findings);
        CheckSizes(clusters, findings);
        CheckUniqueness(clusters, findings);
        CheckVersions(clusters, today ?? DateOnly.FromDateTime(DateTime.UtcNow), findings);
        CheckCidrs(clusters, findings);
        if (fleet.Architecture is { } architecture) CheckSections(fleet, architecture, findings);
        return findings;
    }

    private static void CheckRegions(Fleet fleet, List<FleetArchitectureFinding> findings)
    {
        var regions = fleet.Clusters.Select(c => c.Region).Where(r => !string.IsNullOrEmpty(r)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (regions.Count < 2)
            findings.Add(Finding(Rules.GeographicDistribution, FleetFindingSeverity.Warning, fleet.Name,
                regions.Count == 0 ? "No cluster names a region, so the fleet's geographic spread is unknown."
                    : $"All clusters are in one region ({regions[0]}); a regional outage takes the whole fleet down.",
                "Run clusters in at least two regions, with DR peers across them."));
        foreach (var cluster in fleet.Clusters.Where(c => string.IsNullOrEmpty(c.Region)))
            findings.Add(Finding(Rules.RegionMissing, FleetFindingSeverity.Info, cluster.Name,
                $"Cluster '{cluster.Name}' has no region.", "Set its region in the fleet file so placement and DR checks can use it."));
    }

    private static void CheckDisasterRecovery(IReadOnlyList<FleetCluster> clusters, List<FleetArchitectureFinding> findings)
    {
        var byName = clusters.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        foreach (var cluster in clusters)
        {
            if (cluster.DrPeer is { Length: > 0 } peerName)
            {
                if (!byName.TryGetValue(peerName, out var peer))
                {
                    findings.Add(Finding(Rules.DrPeerUnknown, FleetFindingSeverity.Error, cluster.Name,
                        $"The DR peer '{peerName}' of cluster '{cluster.Name}' is not a cluster of the fleet.{NameSuggestions.DidYouMean(peerName, byName.Keys)}",
                        "Name an existing cluster in drPeer."));
                }
                else if (SameRegion(cluster, peer))
                {
                    findings.Add(Finding(Rules.DrPeerSameRegion, FleetFindingSeverity.Error, cluster.Name,
                        $"Cluster '{cluster.Name}' and its DR peer '{peer.Name}' are both in {cluster.Region}; a regional outage takes both.",
                        "Pair it with a cluster in another region."));
                }
                continue;
            }

            if (!IsProduction(cluster)) continue;
            // The reference-architecture layout names no peers: a DR cluster in another region serves.
            var implicitPeer = clusters.FirstOrDefault(c => c.Role == FleetClusterRole.Dr && !ReferenceEquals(c, cluster) && !SameRegion(c, cluster) && c.Region is not null);
            if (implicitPeer is null)
                findings.Add(Finding(Rules.DrPeerMissing, FleetFindingSeverity.Warning, cluster.Name,
                    $"Production cluster '{cluster.Name}' has no DR peer in another region.",
                    "Set drPeer to a cluster in another region (or add a DR cluster there)."));
        }
    }

    private static bool SameRegion(FleetCluster a, FleetCluster b) =>
        a.Region is not null && b.Region is not null && string.Equals(a.Region, b.Region, StringComparison.OrdinalIgnoreCase);

    private static bool IsProduction(FleetCluster cluster) =>
        (cluster.Labels.TryGetValue("env", out var env) && env.ToLowerInvariant() is "prod" or "production")
        || cluster.Purpose?.Trim().ToLowerInvariant() is "prod" or "production";

    private static void CheckManagement(Fleet fleet, List<FleetArchitectureFinding> findings)
    {
        if (!fleet.Clusters.Any(c => c.Role == FleetClusterRole.Management))
            findings.Add(Finding(Rules.ManagementClusterMissing, FleetFindingSeverity.Warning, fleet.Name,
                "The fleet has no management cluster (Cluster API, Argo CD and fleet controllers run there).",
                "Give one cluster role: management (or architecture.management.cluster)."));
    }

    [GeneratedRegex(@"^\s*(\d+)\s*(nodes?)?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex NodeCount();

    private static void CheckSizes(IReadOnlyList<FleetCluster> clusters, List<FleetArchitectureFinding> findings)
    {
        foreach (var cluster in clusters.Where(c => !string.IsNullOrWhiteSpace(c.Size)))
        {
            var match = NodeCount().Match(cluster.Size!);
            if (!match.Success || !int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var nodes))
            {
                findings.Add(Finding(Rules.ClusterSizeUnknown, FleetFindingSeverity.Info, cluster.Name,
                    $"The size '{cluster.Size}' of cluster '{cluster.Name}' is not a node count; its scale limits were not checked.",
                    "Give size as a number of nodes to have it checked."));
                continue;
            }
            if (nodes > MaxNodesPerCluster)
            {
                findings.Add(Finding(Rules.ClusterTooLarge, FleetFindingSeverity.Error, cluster.Name,
                    string.Create(CultureInfo.InvariantCulture, $"Cluster '{cluster.Name}' has {nodes:N0} nodes, above Kubernetes' limit of {MaxNodesPerCluster:N0} nodes per cluster."),
                    "Split it into several clusters."));
            }
            else if ((long)nodes * MaxPodsPerNode > MaxPodsPerCluster)
            {
                findings.Add(Finding(Rules.ClusterPodCapacity, FleetFindingSeverity.Warning, cluster.Name,
                    string.Create(CultureInfo.InvariantCulture, $"Cluster '{cluster.Name}' has {nodes:N0} nodes: at {MaxPodsPerNode} pods per node that is {(long)nodes * MaxPodsPerNode:N0} pods, ") +
                    string.Create(CultureInfo.InvariantCulture, $"above the {MaxPodsPerCluster:N0} pods (and {MaxContainersPerCluster:N0} containers) a cluster supports."),
                    "Lower max pods per node, or split the cluster."));
            }
        }
    }

    private static void CheckUniqueness(IReadOnlyList<FleetCluster> clusters, List<FleetArchitectureFinding> findings)
    {
        foreach (var group in clusters.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            findings.Add(Finding(Rules.DuplicateClusterName, FleetFindingSeverity.Error, group.Key,
                $"{group.Count()} clusters are named '{group.Key}'.", "Give every cluster a unique name."));

        foreach (var cluster in clusters.Where(c => c.Network.ClusterId is < 1 or > MaxClusterId))
            findings.Add(Finding(Rules.ClusterIdOutOfRange, FleetFindingSeverity.Error, cluster.Name,
                $"Cluster '{cluster.Name}' has clusterId {cluster.Network.ClusterId}; Cilium Cluster Mesh needs 1 to {MaxClusterId}.",
                "Pick an unused id between 1 and 255."));

        foreach (var group in clusters.Where(c => c.Network.ClusterId is not null).GroupBy(c => c.Network.ClusterId!.Value).Where(g => g.Count() > 1))
        {
            var names = string.Join(", ", group.Select(c => c.Name));
            findings.Add(Finding(Rules.DuplicateClusterId, FleetFindingSeverity.Error, names,
                $"Clusters {names} share clusterId {group.Key}; meshed clusters need unique ids.", "Give each cluster its own clusterId."));
        }
    }

    [GeneratedRegex(@"^v?(\d+)\.(\d+)(\.\d+)?([-+].*)?$")]
    private static partial Regex Version();

    // Two windows: upstream's release table by date for the minors it knows (a minor past its end of life
    // gets no patches, whatever the rest of the fleet runs), and the three newest minors of the fleet itself.
    private static void CheckVersions(IReadOnlyList<FleetCluster> clusters, DateOnly today, List<FleetArchitectureFinding> findings)
    {
        var versions = new List<(FleetCluster Cluster, int Major, int Minor)>();
        foreach (var cluster in clusters.Where(c => !string.IsNullOrWhiteSpace(c.KubernetesVersion)))
        {
            var match = Version().Match(cluster.KubernetesVersion!.Trim());
            if (!match.Success)
            {
                findings.Add(Finding(Rules.KubernetesVersionInvalid, FleetFindingSeverity.Warning, cluster.Name,
                    $"Cluster '{cluster.Name}' declares the Kubernetes version '{cluster.KubernetesVersion}', which is not major.minor[.patch].",
                    "Write it as 1.31 or v1.31.2."));
                continue;
            }
            versions.Add((cluster, int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)));
        }
        if (versions.Count == 0) return;

        var supported = KubernetesReleases.SupportedOn(today);
        var window = supported.Count == 0 ? "none" : string.Join(", ", supported.Select(r => r.Version));
        // A new minor comes every four months or so: past that, the table cannot name every supported minor.
        if (today > KubernetesReleases.Newest.Released.AddMonths(4))
            window += $" and any minor released after {KubernetesReleases.Newest.Version}";
        var newest = versions.OrderByDescending(v => v.Major).ThenByDescending(v => v.Minor).First();
        foreach (var (cluster, major, minor) in versions)
        {
            var release = major == 1 ? KubernetesReleases.Find(minor) : null;
            if (release is not null && release.EndOfLife < today)
            {
                findings.Add(Finding(Rules.KubernetesVersionUnsupported, FleetFindingSeverity.Error, cluster.Name,
                    string.Create(CultureInfo.InvariantCulture,
                        $"Cluster '{cluster.Name}' runs {major}.{minor}, whose upstream support ended on {release.EndOfLife:yyyy-MM-dd}; on {today:yyyy-MM-dd} upstream patches {window} (Kubernetes release table, through {KubernetesReleases.Newest.Version}).") +
                    " It gets no security fixes.",
                    "Upgrade it one minor version at a time to a supported one."));
                continue;
            }
            var behind = major != newest.Major ? int.MaxValue : newest.Minor - minor;
            if (behind >= 3)
                findings.Add(Finding(Rules.KubernetesVersionUnsupported, FleetFindingSeverity.Error, cluster.Name,
                    $"Cluster '{cluster.Name}' runs {major}.{minor}, outside the three newest minor versions of the fleet ({newest.Major}.{newest.Minor} on '{newest.Cluster.Name}'); it is out of support.",
                    "Upgrade it one minor version at a time."));
            else if (behind == 2)
                findings.Add(Finding(Rules.KubernetesVersionSkew, FleetFindingSeverity.Warning, cluster.Name,
                    $"Cluster '{cluster.Name}' runs {major}.{minor}, two minor versions behind {newest.Major}.{newest.Minor} on '{newest.Cluster.Name}'.",
                    "Keep the fleet within one minor version so the same manifests and tools work everywhere."));
        }
    }

    private static void CheckCidrs(IReadOnlyList<FleetCluster> clusters, List<FleetArchitectureFinding> findings)
    {
        var networks = clusters.Select(c => (Cluster: c, Pod: Parse(c.Network.PodCidr), Service: Parse(c.Network.ServiceCidr))).ToList();
        foreach (var (cluster, pod, service) in networks)
        {
            if (pod is { } p && service is { } s && p.Overlaps(s))
                findings.Add(Finding(Rules.CidrOverlap, FleetFindingSeverity.Error, cluster.Name,
                    $"Cluster '{cluster.Name}': the pod CIDR {p} overlaps the service CIDR {s}.", "Use disjoint pod and service ranges."));
        }

        // Meshed clusters route each other's pod and service addresses, so their ranges must be disjoint.
        var meshed = networks.Where(n => !string.IsNullOrEmpty(n.Cluster.Network.MeshNetwork) || n.Cluster.Network.ClusterId is not null).ToList();
        for (var i = 0; i < meshed.Count; i++)
        for (var j = i + 1; j < meshed.Count; j++)
        {
            var a = meshed[i];
            var b = meshed[j];
            var pairs = new (string WhatA, Cidr? A, string WhatB, Cidr? B)[]
            {
                ("pod", a.Pod, "pod", b.Pod), ("service", a.Service, "service", b.Service),
                ("pod", a.Pod, "service", b.Service), ("service", a.Service, "pod", b.Pod),
            };
            foreach (var (whatA, cidrA, whatB, cidrB) in pairs)
            {
                if (cidrA is not { } x || cidrB is not { } y || !x.Overlaps(y)) continue;
                findings.Add(Finding(Rules.CidrOverlap, FleetFindingSeverity.Error, $"{a.Cluster.Name}, {b.Cluster.Name}",
                    $"Meshed clusters '{a.Cluster.Name}' and '{b.Cluster.Name}' overlap: {whatA} CIDR {x} and {whatB} CIDR {y}.",
                    "Give every meshed cluster its own pod and service ranges."));
            }
        }
    }

    // The networking, data, identity and management sections checked against the clusters they describe.
    private static void CheckSections(Fleet fleet, FleetArchitecture architecture, List<FleetArchitectureFinding> findings)
    {
        var networking = architecture.Networking;
        if (networking.Mesh?.Provider == "Cilium" || networking.CrossCluster?.Provider == "Cilium")
        {
            var text = (networking.Mesh?.Provider == "Cilium" ? networking.Mesh : networking.CrossCluster)!.Text;
            foreach (var cluster in fleet.Clusters.Where(c => c.Role != FleetClusterRole.Management && c.Network.ClusterId is null))
                findings.Add(Finding(Rules.MeshClusterIdMissing, FleetFindingSeverity.Error, cluster.Name,
                    $"The networking section says '{text}', but cluster '{cluster.Name}' has no network.clusterId; Cilium Cluster Mesh needs a unique id (1 to {MaxClusterId}) on every member.",
                    "Give the cluster network: { clusterId: N } in the fleet file."));
        }

        if (architecture.Data.ActiveActive)
        {
            var regions = fleet.Clusters.Where(c => c.Role != FleetClusterRole.Management).Select(c => c.Region)
                .Where(r => !string.IsNullOrEmpty(r)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (regions.Count < 2)
                findings.Add(Finding(Rules.ActiveActiveSingleRegion, FleetFindingSeverity.Error, fleet.Name,
                    $"The data section says '{architecture.Data.Replication!.Text}', but the workload clusters are in {(regions.Count == 0 ? "no named region" : "one region (" + regions[0] + ")")}; active-active replication needs writers in at least two regions.",
                    "Add clusters in a second region, or describe the replication as active-passive."));
        }

        foreach (var (section, key, choice) in new[]
                 {
                     ("networking", "mesh", networking.Mesh), ("networking", "cross_cluster", networking.CrossCluster),
                     ("data", "backup", architecture.Data.Backup), ("identity", "federation", architecture.Identity.Federation),
                 })
        {
            if (choice is { Provider: null })
                findings.Add(Finding(Rules.ArchitectureChoiceUnknown, FleetFindingSeverity.Info, $"{section}.{key}",
                    $"'{choice.Text}' in {section}.{key} names no product this module recognises; cmdlets take no default from it.",
                    "Name the product (for example Cilium Cluster Mesh, Istio, Velero, Dex with OIDC) to have it checked and used."));
        }

        if (architecture.Management is not { } management) return;
        var tools = management.Tools.Select(t => (Text: t, Tool: KnownTools.FirstOrDefault(k => k.Names.Any(n => t.Trim().ToLowerInvariant().Contains(n))).Tool)).ToList();
        foreach (var (text, tool) in tools)
        {
            if (tool is null)
                findings.Add(Finding(Rules.ManagementToolUnknown, FleetFindingSeverity.Info, management.Cluster,
                    $"The management tool '{text}' is not one this check knows, so whether '{management.Cluster}' can run it was not checked.",
                    "Check its requirements by hand."));
            else if (tool == "KubeFed")
                findings.Add(Finding(Rules.ManagementToolRetired, FleetFindingSeverity.Warning, management.Cluster,
                    $"The management tool '{text}' is KubeFed, which is retired (kubernetes-retired/kubefed, archived in 2023): its controllers are no longer released for new Kubernetes versions, so '{management.Cluster}' cannot be kept on a supported version and run it.",
                    "Publish the KubeFed documents with Publish-FleetWorkload and Set-FleetRbac, which read them as they are."));
        }
        // Dex named as the identity federation is a tool to run too: a tools list that leaves it out is incomplete.
        if (architecture.Identity.Federation?.Provider == "Dex" && tools.Count > 0 && !tools.Any(t => t.Tool == "Dex"))
            findings.Add(Finding(Rules.ManagementToolMissing, FleetFindingSeverity.Warning, management.Cluster,
                $"The identity section says '{architecture.Identity.Federation.Text}', but Dex is not among the tools of the management cluster '{management.Cluster}' ({string.Join(", ", management.Tools)}).",
                "Add dex to management.tools, or run New-FleetOidcConfig -Apply to install it on the identity cluster."));
    }

    private static Cidr? Parse(string? text) => text is not null && Cidrs.TryParse(text, out var cidr) ? cidr : null;

    private static FleetArchitectureFinding Finding(string rule, FleetFindingSeverity severity, string target, string message, string advice) =>
        new() { RuleId = rule, Severity = severity, Target = target, Message = message, Advice = advice };
}
