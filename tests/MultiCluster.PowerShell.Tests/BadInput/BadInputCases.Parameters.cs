namespace MultiCluster.PowerShell.Tests.BadInput;

public static partial class BadInputCases
{
    private const string Validation = "ParameterArgumentValidationError";
    private const string Empty = Validation; // ValidateNotNullOrEmpty: PowerShell's own id
    private const string Conversion = "CannotConvertArgumentNoMessage";

    // Every exported cmdlet with the parameters a tired user gets wrong: empty, wildcards matching
    // nothing, clusters not in the fleet, out-of-range numbers, malformed selectors, versions, CIDRs, cron.
    private static IEnumerable<BadInputCase> Parameters()
    {
        // Selection, shared by the fan-out cmdlets.
        yield return Line("Invoke-FleetApply: -Cluster wildcard matching nothing", "@{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'bad-input-sel' ; namespace = 'default' } } | Invoke-FleetApply -Cluster 'staging-*' -Confirm:$false", "NoClustersSelected");
        yield return Line("Invoke-FleetApply: -Cluster not in the fleet", "@{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'bad-input-sel'; namespace = 'default' } } | Invoke-FleetApply -Cluster prod-z -Confirm:$false", "ClusterNotFound");
        yield return Line("Invoke-FleetApply: -Selector that does not parse", "@{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'bad-input-sel'; namespace = 'default' } } | Invoke-FleetApply -Selector 'env in (prod' -Confirm:$false", "SelectorInvalid");
        yield return Line("Invoke-FleetApply: -Selector matching nothing", "@{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'bad-input-sel'; namespace = 'default' } } | Invoke-FleetApply -Selector 'env=staging' -Confirm:$false", "NoClustersSelected");
        yield return Line("Invoke-FleetApply: -ThrottleLimit 0", "@{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'bad-input-sel'; namespace = 'default' } } | Invoke-FleetApply -ThrottleLimit 0 -Confirm:$false", Validation);
        yield return Line("Invoke-FleetApply: -TimeoutSeconds -5", "@{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'bad-input-sel'; namespace = 'default' } } | Invoke-FleetApply -TimeoutSeconds -5 -Confirm:$false", Validation);
        yield return Line("Invoke-FleetApply: -Path empty", "Invoke-FleetApply -Path '' -Confirm:$false", Empty);
        yield return Line("Invoke-FleetApply: -Path wildcard matching nothing", "Invoke-FleetApply -Path ./*.nothing -Confirm:$false", "ManifestInvalid");
        yield return Line("Get-FleetResource: -Kind empty", "Get-FleetResource -Kind ''", Empty);
        yield return Line("Get-FleetResource: unknown kind", "Get-FleetResource -Kind ConfigMapz", "ResourceKindUnknown", nonTerminating: true);
        yield return Line("Get-FleetResource: kind at the wrong -ApiVersion", "Get-FleetResource -Kind ConfigMap -ApiVersion apps/v1", "ResourceKindUnknown", nonTerminating: true);
        yield return Line("Get-FleetResource: -Cluster wildcard matching nothing", "Get-FleetResource ConfigMap -Cluster 'qa-*'", "NoClustersSelected");
        yield return Line("Get-FleetResource: -Cluster not in the fleet", "Get-FleetResource ConfigMap -Cluster prod-q", "ClusterNotFound");
        yield return Line("Get-FleetResource: -Selector with '=' and no key", "Get-FleetResource ConfigMap -Selector '=prod'", "SelectorInvalid");
        yield return Line("Get-FleetResource: -LabelSelector with an unclosed set", "Get-FleetResource ConfigMap -LabelSelector 'app in (web'", "SelectorInvalid");
        yield return Line("Get-FleetResource: -LabelSelector with '=' and no key", "Get-FleetResource ConfigMap -LabelSelector '=web'", "SelectorInvalid");
        yield return Line("Get-FleetResource: -ThrottleLimit -1", "Get-FleetResource ConfigMap -ThrottleLimit -1", Validation);
        yield return Line("Remove-FleetResource: -Name empty", "Remove-FleetResource ConfigMap '' -Confirm:$false", Empty);
        yield return Line("Remove-FleetResource: -MaxClusters 0", "Remove-FleetResource ConfigMap x -MaxClusters 0 -Confirm:$false", Validation);
        yield return Line("Remove-FleetResource: unknown kind", "Remove-FleetResource ConfigMapz x -Cluster prod-a -Confirm:$false", "ClusterListFailed", nonTerminating: true);
        yield return Line("Remove-FleetResource: -Cluster wildcard matching nothing", "Remove-FleetResource ConfigMap x -Cluster 'zz-*' -Confirm:$false", "NoClustersSelected");
        yield return Line("Remove-FleetResource: -MaxObjects -1", "Remove-FleetResource ConfigMap x -MaxObjects -1 -Confirm:$false", Validation);

        // Inventory.
        yield return Line("Import-Fleet: -Path empty", "Import-Fleet -Path ''", Empty);
        yield return Line("Import-Fleet: -Content empty", "Import-Fleet -Content ''", Empty);
        yield return Line("Import-Fleet: -From 'Rancher'", "Import-Fleet -From Rancher", Conversion);
        yield return Line("Import-Fleet: -From ClusterApi with a management cluster not in the fleet", "Import-Fleet -From ClusterApi -ManagementCluster mgmt-z", "ClusterNotFound");
        yield return Line("Get-FleetCluster: a name not in the fleet", "Get-FleetCluster -Name prod-q", "ClusterNotFound", nonTerminating: true);
        yield return Line("Get-FleetCluster: -Role 'boss'", "Get-FleetCluster -Role boss", Conversion);
        yield return Line("Get-FleetCluster: -Selector that does not parse", "Get-FleetCluster -Selector 'env notin prod'", "SelectorInvalid");
        yield return Line("Export-Fleet: -Path empty", "Export-Fleet -Path ''", Empty);
        yield return Line("Export-Fleet: into a folder that does not exist", "Export-Fleet -Path ./no-such-folder/fleet.yaml", "OutputPathNotWritable");
        yield return WithFile("Export-Fleet: a file that exists, without -Force", "fleet.yaml", "keep me\n", "Export-Fleet -Path ./fleet.yaml", "FleetFileExists");
        yield return Line("Test-FleetArchitecture: -Path that does not exist", "Test-FleetArchitecture -Path ./no-such-architecture.yaml", "FleetFileInvalid");
        yield return WithFile("Test-FleetArchitecture: a misspelt key", "arch.yaml", "architecture:\n  regons: []\n", "Test-FleetArchitecture -Path ./arch.yaml", "FleetFileInvalid", 2, 3);
        yield return Line("Test-FleetCluster: -Cluster wildcard matching nothing", "Test-FleetCluster -Cluster 'edge-*'", "NoClustersSelected");

        // Workloads.
        yield return Line("Get-FleetWorkload: -Name empty", "Get-FleetWorkload -Name ''", Empty);
        yield return Line("Get-FleetWorkload: unknown kind", "Get-FleetWorkload -Name web -Kind Deploymnet", "ResourceKindUnknown");
        yield return Line("Get-FleetWorkload: -Cluster not in the fleet", "Get-FleetWorkload -Name web -Cluster prod-q", "ClusterNotFound");
        yield return Line("Remove-FleetWorkload: unknown kind", "Remove-FleetWorkload -Name web -Kind Deploymnet -Confirm:$false", "ResourceKindUnknown");
        yield return Line("Remove-FleetWorkload: -MaxClusters 0", "Remove-FleetWorkload -Name web -MaxClusters 0 -Confirm:$false", Validation);
        yield return Line("Compare-FleetWorkload: -Path empty", "Compare-FleetWorkload -Path ''", Empty);
        yield return Line("Compare-FleetWorkload: -Selector matching nothing", "@{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'x'; namespace = 'default' } } | Compare-FleetWorkload -Selector 'tier=platinum'", "PlacementEmpty");
        yield return Line("Publish-FleetWorkload: -Cluster wildcard matching nothing", "@{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'x'; namespace = 'default' } } | Publish-FleetWorkload -Cluster 'lab-*' -Confirm:$false", "PlacementEmpty");

        // Events.
        yield return Line("Get-FleetEvent: -Type 'Error'", "Get-FleetEvent -Type Error", Validation);
        yield return Line("Get-FleetEvent: -InvolvedObject with a resource name for the kind", "Get-FleetEvent -InvolvedObject 'pods/web'", "InvolvedObjectInvalid");
        yield return Line("Get-FleetEvent: -Since negative", "Get-FleetEvent -Since (New-TimeSpan -Minutes -5)", "SinceInvalid");
        yield return Line("Get-FleetEvent: -Since that is not a time span", "Get-FleetEvent -Since 'yesterday'", Conversion);

        // Lifecycle (Cluster API).
        const string create = "New-FleetCluster -Provider docker -KubernetesVersion v1.32.0 -Confirm:$false -ManagementCluster prod-a ";
        yield return Line("New-FleetCluster: a name with capitals and _", create + "-Name Prod_East", "ClusterNameInvalid");
        yield return Line("New-FleetCluster: a name of 64 characters", create + "-Name " + new string('c', 64), "ClusterNameInvalid");
        yield return Line("New-FleetCluster: -Provider 'openstack-classic'", "New-FleetCluster -Name c1 -Provider openstack-classic -KubernetesVersion v1.32.0 -ManagementCluster prod-a -Confirm:$false", "ProviderUnknown");
        yield return Line("New-FleetCluster: -KubernetesVersion 1.32", "New-FleetCluster -Name c1 -Provider docker -KubernetesVersion 1.32 -ManagementCluster prod-a -Confirm:$false", "KubernetesVersionInvalid");
        yield return Line("New-FleetCluster: -KubernetesVersion latest", "New-FleetCluster -Name c1 -Provider docker -KubernetesVersion latest -ManagementCluster prod-a -Confirm:$false", "KubernetesVersionInvalid");
        yield return Line("New-FleetCluster: two control-plane replicas", create + "-Name c1 -ControlPlaneReplicas 2", "ControlPlaneReplicasInvalid");
        yield return Line("New-FleetCluster: zero control-plane replicas", create + "-Name c1 -ControlPlaneReplicas 0", "ControlPlaneReplicasInvalid");
        yield return Line("New-FleetCluster: -WorkerReplicas -1", create + "-Name c1 -WorkerReplicas -1", "WorkerReplicasInvalid");
        yield return Line("New-FleetCluster: -PodCidr /33", create + "-Name c1 -PodCidr 10.0.0.0/33", "CidrInvalid");
        yield return Line("New-FleetCluster: -ServiceCidr not a CIDR", create + "-Name c1 -ServiceCidr services", "CidrInvalid");
        yield return Line("New-FleetCluster: pod and service CIDRs overlap", create + "-Name c1 -PodCidr 10.96.0.0/12 -ServiceCidr 10.100.0.0/16", "CidrOverlap");
        yield return Line("New-FleetCluster: -Labels with a bad key", create + "-Name c1 -Labels @{ '-env' = 'prod' }", "LabelInvalid");
        yield return Line("New-FleetCluster: -Labels with a bad value", create + "-Name c1 -Labels @{ env = 'prod east' }", "LabelInvalid");
        yield return Line("New-FleetCluster: a management cluster not in the fleet", "New-FleetCluster -Name c1 -Provider docker -KubernetesVersion v1.32.0 -ManagementCluster mgmt-z -Confirm:$false", "ClusterNotFound");
        yield return Line("New-FleetCluster: -Name empty", "New-FleetCluster -Name '' -Provider docker -KubernetesVersion v1.32.0 -Confirm:$false", "ParameterArgumentValidationErrorEmptyStringNotAllowed");
        yield return Line("Resize-FleetCluster: -WorkerReplicas -3", "Resize-FleetCluster -Name prod-b -WorkerReplicas -3 -ManagementCluster prod-a -Confirm:$false", Validation);
        yield return Line("Resize-FleetCluster: -MaxClusters 0", "Resize-FleetCluster -Name prod-b -WorkerReplicas 3 -MaxClusters 0 -Confirm:$false", Validation);
        yield return Line("Resize-FleetCluster: -Namespace with capitals", "Resize-FleetCluster -Name prod-b -WorkerReplicas 3 -Namespace Clusters_NS -ManagementCluster prod-a -Confirm:$false", "NamespaceInvalid");
        yield return Line("Update-FleetCluster: -KubernetesVersion 'next'", "Update-FleetCluster -Name prod-b -KubernetesVersion next -ManagementCluster prod-a -Confirm:$false", "KubernetesVersionInvalid");
        yield return Line("Update-FleetCluster: -KubernetesVersion empty", "Update-FleetCluster -Name prod-b -KubernetesVersion '' -Confirm:$false", Empty);
        yield return Line("Update-FleetCluster: -PollIntervalSeconds 0", "Update-FleetCluster -Name prod-b -KubernetesVersion v1.33.0 -PollIntervalSeconds 0 -Confirm:$false", Validation);
        yield return Line("Wait-FleetCluster: -TimeoutSeconds 0", "Wait-FleetCluster -Name prod-b -TimeoutSeconds 0", Validation);
        yield return Line("Wait-FleetCluster: -Name empty", "Wait-FleetCluster -Name ''", Empty);
        yield return Line("Remove-FleetCluster: -MaxClusters 0", "Remove-FleetCluster -Name prod-b -MaxClusters 0 -Confirm:$false", Validation);
        yield return Line("Remove-FleetCluster: -Name empty", "Remove-FleetCluster -Name '' -Confirm:$false", Empty);
        yield return Line("Get-FleetClusterCredential: -KubeconfigPath empty", "Get-FleetClusterCredential -Name prod-b -KubeconfigPath '' -Confirm:$false", Empty);
        yield return WithFile("Get-FleetUpgradePlan: -KubernetesVersion 1.33", "p.yaml", "waves:\n  - name: dev\n    clusters: [dev-*]\n", "Get-FleetUpgradePlan -Policy ./p.yaml -KubernetesVersion 1.33", "KubernetesVersionInvalid");
        yield return Line("Get-FleetUpgradePlan: -Policy empty", "Get-FleetUpgradePlan -Policy ''", Empty);
        yield return Line("Get-FleetUpgradeStatus: -RolloutId with spaces", "Get-FleetUpgradeStatus -RolloutId 'my rollout' -ManagementCluster prod-a", "UpgradeRolloutInvalid");
        yield return Line("Get-FleetUpgradeStatus: a management cluster not in the fleet", "Get-FleetUpgradeStatus -ManagementCluster mgmt-z", "ClusterNotFound");
        yield return WithFile("Start-FleetUpgrade: -PollIntervalSeconds 0", "p.yaml", "waves:\n  - name: dev\n    clusters: [dev-*]\n", "Start-FleetUpgrade -Policy ./p.yaml -PollIntervalSeconds 0 -Confirm:$false", Validation);
        yield return Line("Start-FleetUpgrade: -RolloutId with capitals", "Start-FleetUpgrade -RolloutId 'Rollout_1' -Resume -ManagementCluster prod-a -Confirm:$false", "UpgradeRolloutInvalid");
        yield return Line("Start-FleetUpgrade: -Check that is not a script", "Start-FleetUpgrade -RolloutId r1 -Resume -Check @{ pre = 42 } -ManagementCluster prod-a -Confirm:$false", "UpgradeCheckFailed");

        // Recovery (Velero).
        const string schedule = "New-FleetBackupSchedule -Name nightly -Confirm:$false ";
        foreach (var (cron, why) in new[]
        {
            ("every day", "words"), ("0 2 * *", "four fields"), ("61 2 * * *", "minute 61"), ("0 25 * * *", "hour 25"),
            ("0 2 32 * *", "day 32"), ("0 2 * 13 *", "month 13"), ("0 2 * * 8", "weekday 8"), ("*/0 * * * *", "a step of 0"),
        })
        {
            yield return Line($"New-FleetBackupSchedule: -Schedule with {why}", schedule + $"-Schedule '{cron}'", "ScheduleInvalid");
        }
        yield return Line("New-FleetBackupSchedule: -Rpo zero", schedule + "-Rpo 0", "RpoUnachievable");
        yield return Line("New-FleetBackupSchedule: -Rpo negative", schedule + "-Rpo (New-TimeSpan -Hours -1)", "RpoUnachievable");
        yield return Line("New-FleetBackupSchedule: -Rpo of 30 seconds", schedule + "-Rpo (New-TimeSpan -Seconds 30)", "RpoUnachievable");
        yield return Line("New-FleetBackupSchedule: -Rpo 'daily'", schedule + "-Rpo daily", Conversion);
        yield return Line("New-FleetBackupSchedule: -Ttl negative", schedule + "-Rpo 01:00:00 -Ttl (New-TimeSpan -Hours -2)", "TtlInvalid");
        yield return Line("New-FleetBackupSchedule: -LabelSelector that does not parse", schedule + "-Rpo 01:00:00 -LabelSelector 'app in (web'", "SelectorInvalid");
        yield return Line("New-FleetBackupSchedule: -Cluster wildcard matching nothing", schedule + "-Rpo 01:00:00 -Cluster 'dr-*'", "NoClustersSelected");
        yield return Line("New-FleetBackupSchedule: -Name with capitals and a space", "New-FleetBackupSchedule -Name 'Nightly Run' -Rpo 01:00:00 -Confirm:$false", "ScheduleInvalid");
        yield return Line("New-FleetBackupLocation: -Name with an underscore", "New-FleetBackupLocation -Name primary_store -Provider aws -Bucket b -Region us-east-1 -Confirm:$false", "BackupLocationInvalid");
        yield return Line("New-FleetBackupLocation: -Bucket empty", "New-FleetBackupLocation -Name primary -Provider aws -Bucket '' -Confirm:$false", Empty);
        yield return Line("New-FleetBackupLocation: -AccessMode 'Sometimes'", "New-FleetBackupLocation -Name primary -Provider aws -Bucket b -Region us-east-1 -AccessMode Sometimes -Confirm:$false", Validation);
        yield return Line("New-FleetBackupLocation: -BackupSyncPeriod negative", "New-FleetBackupLocation -Name primary -Provider aws -Bucket b -Region us-east-1 -BackupSyncPeriod (New-TimeSpan -Minutes -1) -Confirm:$false", "BackupLocationInvalid");
        yield return Line("New-FleetBackupLocation: a bucket name with a slash", "New-FleetBackupLocation -Name primary -Provider aws -Bucket 'b/c' -Region us-east-1 -Confirm:$false", "BackupLocationInvalid");
        yield return Line("Get-FleetBackup: -Cluster not in the fleet", "Get-FleetBackup -Cluster prod-q", "ClusterNotFound");
        yield return Line("Get-FleetBackupSchedule: -Cluster wildcard matching nothing", "Get-FleetBackupSchedule -Cluster 'dr-*'", "NoClustersSelected");
        yield return Line("Get-FleetDrReadiness: -MaxRpo negative", "Get-FleetDrReadiness -MaxRpo (New-TimeSpan -Hours -1)", "FailoverInputInvalid");
        yield return Line("Get-FleetDrReadiness: -Standby not in the fleet", "Get-FleetDrReadiness -Standby dr-q", "ClusterNotFound");
        yield return Line("Invoke-FleetFailover: -From not in the fleet", "Invoke-FleetFailover -From prod-q -To prod-b -Confirm:$false", "ClusterNotFound");
        yield return Line("Invoke-FleetFailover: -MaxRpo negative", "Invoke-FleetFailover -From prod-a -To prod-b -MaxRpo (New-TimeSpan -Hours -1) -Confirm:$false", "FailoverInputInvalid");
        yield return Line("Invoke-FleetFailover: -Namespace not a namespace name", "Invoke-FleetFailover -From prod-a -To prod-b -Namespace 'Shop_Front' -Confirm:$false", "FailoverInputInvalid");
        yield return Line("Invoke-FleetFailback: -Namespace kube-system", "Invoke-FleetFailback -From prod-b -To prod-a -Namespace kube-system -Confirm:$false", "FailoverInputInvalid");
        yield return Line("Test-FleetFailover: -WorkloadTimeout negative", "Test-FleetFailover -From prod-a -To prod-b -WorkloadTimeout (New-TimeSpan -Minutes -5) -Confirm:$false", "FailoverInputInvalid");
        yield return Line("Test-FleetFailover: -Namespace kube-system", "Test-FleetFailover -From prod-a -To prod-b -Namespace kube-system -Confirm:$false", "FailoverInputInvalid");
        yield return Line("Invoke-FleetFailover: -From and -To the same cluster", "Invoke-FleetFailover -From prod-a -To prod-a -Confirm:$false", "FailoverInputInvalid");
        yield return Line("Invoke-FleetFailover: -Replicas -1", "Invoke-FleetFailover -From prod-a -To prod-b -Replicas -1 -Confirm:$false", Validation);
        yield return Line("Invoke-FleetFailover: -TrafficProvider 'Akamai'", "Invoke-FleetFailover -From prod-a -To prod-b -TrafficProvider Akamai -Confirm:$false", Validation);
        yield return Line("Invoke-FleetFailover: Route53 without -ZoneName", "Invoke-FleetFailover -From prod-a -To prod-b -TrafficProvider Route53 -RecordName app.example.com -Confirm:$false", "FailoverInputInvalid");
        yield return Line("Invoke-FleetFailover: -RecordType 'MX'", "Invoke-FleetFailover -From prod-a -To prod-b -TrafficProvider Route53 -ZoneName Z1 -RecordName app.example.com -RecordType MX -Confirm:$false", Validation);
        yield return Line("Invoke-FleetFailback: -To not in the fleet", "Invoke-FleetFailback -From prod-b -To prod-q -Confirm:$false", "ClusterNotFound");
        yield return Line("Invoke-FleetFailback: -From and -To the same cluster", "Invoke-FleetFailback -From prod-b -To prod-b -Confirm:$false", "FailoverInputInvalid");
        yield return Line("Test-FleetFailover: -From and -To the same cluster", "Test-FleetFailover -From prod-a -To prod-a -Confirm:$false", "FailoverInputInvalid");

        // Mesh.
        yield return Line("Join-FleetMesh: -Provider 'Linkerd2'", "Join-FleetMesh -Provider Linkerd2 -Confirm:$false", Conversion);
        yield return Line("Join-FleetMesh: -MeshId with spaces", "Join-FleetMesh -Provider Istio -MeshId 'my mesh' -Confirm:$false", "MeshIdInvalid");
        yield return Line("Join-FleetMesh: -Network for a cluster not in the fleet", "Join-FleetMesh -Provider Istio -Network @{ 'prod-q' = 'net1' } -Confirm:$false", "InvalidArgument");
        yield return Line("Join-FleetMesh: -BrokerCluster not in the fleet", "Join-FleetMesh -Provider Submariner -BrokerCluster broker-q -Confirm:$false", "ClusterNotFound");
        yield return Line("Join-FleetMesh: -ServiceType 'Magic'", "Join-FleetMesh -Provider Cilium -ServiceType Magic -Confirm:$false", Validation);
        yield return Line("Join-FleetMesh: -CableDriver 'carrier-pigeon'", "Join-FleetMesh -Provider Submariner -BrokerCluster prod-a -CableDriver carrier-pigeon -Confirm:$false", Validation);
        yield return Line("Join-FleetMesh: Cilium -ClusterId 0", "Join-FleetMesh -Provider Cilium -ClusterId @{ 'prod-a' = 0 } -Confirm:$false", "ClusterIdInvalid");
        yield return Line("Join-FleetMesh: Cilium -ClusterId 256 without -ExtendedClusterId", "Join-FleetMesh -Provider Cilium -ClusterId @{ 'prod-b' = 256 } -Confirm:$false", "ClusterIdInvalid");
        yield return Line("Join-FleetMesh: Cilium -ClusterId 512 with -ExtendedClusterId", "Join-FleetMesh -Provider Cilium -ExtendedClusterId -ClusterId @{ 'prod-b' = 512 } -Confirm:$false", "ClusterIdInvalid");
        yield return Line("Join-FleetMesh: Cilium -ClusterId not a number", "Join-FleetMesh -Provider Cilium -ClusterId @{ 'prod-b' = 'east' } -Confirm:$false", "ClusterIdInvalid");
        yield return Line("Join-FleetMesh: Cilium -ClusterId the same id twice", "Join-FleetMesh -Provider Cilium -ClusterId @{ 'prod-a' = 7; 'prod-b' = 7 } -Confirm:$false", "ClusterIdDuplicate");
        yield return Line("Join-FleetMesh: Cilium -ClusterId for a cluster not in the fleet", "Join-FleetMesh -Provider Cilium -ClusterId @{ 'prod-q' = 3 } -Confirm:$false", "ClusterNotFound");
        yield return Line("Join-FleetMesh: Submariner -ClusterId for a cluster not in the fleet", "Join-FleetMesh -Provider Submariner -BrokerCluster prod-a -ClusterId @{ 'prod-q' = 'east' } -Confirm:$false", "ClusterNotFound");
        yield return Line("Join-FleetMesh: Istio with -ClusterId", "Join-FleetMesh -Provider Istio -MeshId mesh1 -ClusterId @{ 'prod-a' = 1 } -Confirm:$false", "InvalidArgument");
        yield return Line("Join-FleetMesh: -GlobalnetCidrRange not a CIDR", "Join-FleetMesh -Provider Submariner -BrokerCluster prod-a -Globalnet -GlobalnetCidrRange 242.0.0.0/33 -Confirm:$false", "GlobalnetInvalid");
        yield return Line("Join-FleetMesh: -GlobalnetClusterSize larger than the range", "Join-FleetMesh -Provider Submariner -BrokerCluster prod-a -Globalnet -GlobalnetCidrRange 242.0.0.0/24 -GlobalnetClusterSize 1024 -Confirm:$false", "GlobalnetInvalid");
        yield return Line("Join-FleetMesh: -Cluster wildcard matching nothing", "Join-FleetMesh -Provider Istio -Cluster 'mesh-*' -Confirm:$false", "NoClustersSelected");
        yield return Line("Remove-FleetMesh: -BrokerCluster not in the fleet", "Remove-FleetMesh -Provider Submariner -BrokerCluster broker-q -Confirm:$false", "InvalidArgument");
        yield return Line("Test-FleetMesh: -Cluster wildcard matching nothing", "Test-FleetMesh -Provider Istio -Cluster 'mesh-*'", "NoClustersSelected");
        yield return Line("Test-FleetNetwork: -Cluster not in the fleet", "Test-FleetNetwork -Cluster prod-q", "ClusterNotFound");
        yield return Line("Set-FleetGlobalService: -Name with capitals", "Set-FleetGlobalService -Name Web_Front -Confirm:$false", "ServiceNameInvalid");
        yield return Line("Set-FleetGlobalService: -Namespace with a dot", "Set-FleetGlobalService -Name web -Namespace shop.front -Confirm:$false", "ServiceNameInvalid");
        yield return Line("Export-FleetService: -Name with capitals", "Export-FleetService -Name Web_Front -Confirm:$false", "ServiceNameInvalid");
        yield return Line("Export-FleetService: -Name empty", "Export-FleetService -Name '' -Confirm:$false", Empty);
        yield return Line("Set-FleetGlobalService: -Affinity 'sticky'", "Set-FleetGlobalService -Name web -Affinity sticky -Confirm:$false", Validation);

        // Traffic.
        yield return Line("Set-FleetTrafficPolicy: -Distribute weights summing to 120", "Set-FleetTrafficPolicy -Name web -Distribute @{ 'us-east-1' = @{ 'us-east-1' = 60; 'eu-central-1' = 60 } } -Confirm:$false", "LocalityWeightsInvalid");
        yield return Line("Set-FleetTrafficPolicy: -Failover to a region not in the fleet", "Set-FleetTrafficPolicy -Name web -Failover @{ 'us-east-1' = 'mars-1' } -Confirm:$false", "LocalityRegionUnknown");
        yield return Line("Set-FleetTrafficPolicy: -Port 0", "Set-FleetTrafficPolicy -Name web -Port 0 -Confirm:$false", Validation);
        yield return Line("Set-FleetTrafficPolicy: -Port 70000", "Set-FleetTrafficPolicy -Name web -Port 70000 -Confirm:$false", Validation);
        yield return Line("Set-FleetTrafficPolicy: -ConsecutiveErrors 0", "Set-FleetTrafficPolicy -Name web -ConsecutiveErrors 0 -Confirm:$false", Validation);
        yield return Line("Set-FleetTrafficPolicy: -Name with capitals", "Set-FleetTrafficPolicy -Name Web_Front -Confirm:$false", "TrafficNameInvalid");
        yield return Line("Set-FleetTrafficPolicy: -Distribute and -Failover for one region", "Set-FleetTrafficPolicy -Name web -Distribute @{ 'us-east-1' = @{ 'us-east-1' = 100 } } -Failover @{ 'us-east-1' = 'eu-central-1' } -Confirm:$false", "LocalityPolicyConflict");
        yield return Line("Set-FleetDnsRecord: -Policy 'RoundRobin'", "Set-FleetDnsRecord -Name app.example.com -ZoneName Z1 -Policy RoundRobin -Confirm:$false", Validation);
        yield return Line("Set-FleetDnsRecord: a negative weight", "Set-FleetDnsRecord -Name app.example.com -ZoneName Z1 -Policy Weighted -Endpoint @{ 'prod-a' = '192.0.2.1' } -Weight @{ 'prod-a' = -1 } -Confirm:$false", "DnsWeightInvalid");
        yield return Line("Set-FleetDnsRecord: Failover with -Primary not in the fleet", "Set-FleetDnsRecord -Name app.example.com -ZoneName Z1 -Policy Failover -Endpoint @{ 'prod-a' = '192.0.2.1'; 'prod-b' = '192.0.2.2' } -Primary prod-q -Confirm:$false", "ClusterNotFound");
        yield return Line("Set-FleetDnsRecord: -Ttl -1", "Set-FleetDnsRecord -Name app.example.com -ZoneName Z1 -Policy Simple -Endpoint @{ 'prod-a' = '192.0.2.1' } -Ttl -1 -Confirm:$false", Validation);
        yield return Line("Set-FleetDnsRecord: an endpoint for a cluster not in the fleet", "Set-FleetDnsRecord -Name app.example.com -ZoneName Z1 -Policy Simple -Endpoint @{ 'prod-q' = '192.0.2.1' } -Confirm:$false", Validation);
        yield return Line("Set-FleetDnsRecord: Geolocation without -Location", "Set-FleetDnsRecord -Name app.example.com -ZoneName Z1 -Policy Geolocation -Endpoint @{ 'prod-a' = '192.0.2.1' } -Confirm:$false", "DnsLocationMissing");
        yield return Line("Set-FleetDnsRecord: -ZoneName empty", "Set-FleetDnsRecord -Name app.example.com -ZoneName '' -Policy Simple -Confirm:$false", Empty);
        yield return Line("Set-FleetExternalDns: -Hostname with a space", "Set-FleetExternalDns -Name web -Hostname 'app example.com' -Policy Weighted -Confirm:$false", "ExternalDnsHostnameInvalid");
        yield return Line("Set-FleetExternalDns: -Kind 'Pod'", "Set-FleetExternalDns -Name web -Hostname app.example.com -Policy Weighted -Kind Pod -Confirm:$false", Validation);
        yield return Line("Set-FleetExternalDns: -Policy 'Random'", "Set-FleetExternalDns -Name web -Hostname app.example.com -Policy Random -Confirm:$false", Validation);
        yield return Line("Set-FleetExternalDns: a weight for a cluster not in the fleet", "Set-FleetExternalDns -Name web -Hostname app.example.com -Policy Weighted -Weight @{ 'prod-q' = 10 } -Confirm:$false", "ClusterNotFound");

        // Access: RBAC and OIDC.
        yield return Line("Set-FleetRbac: a rule without verbs", "Set-FleetRbac -Name readers -Rule @{ resources = 'pods' } -Group ops -Confirm:$false", "ManifestInvalid");
        yield return Line("Set-FleetRbac: a rule with verb 'fly'", "Set-FleetRbac -Name readers -Rule @{ resources = 'pods'; verbs = 'fly' } -Group ops -Confirm:$false", "ManifestInvalid");
        yield return Line("Set-FleetRbac: a rule key 'verb'", "Set-FleetRbac -Name readers -Rule @{ resources = 'pods'; verb = 'get' } -Group ops -Confirm:$false", "ManifestInvalid");
        yield return Line("Set-FleetRbac: -Name with a slash", "Set-FleetRbac -Name 'team/readers' -ClusterRole view -Group ops -Confirm:$false", "ManifestInvalid");
        yield return Line("Set-FleetRbac: -Namespace with capitals", "Set-FleetRbac -Name readers -Namespace Shop -ClusterRole view -Group ops -Confirm:$false", "ManifestInvalid");
        yield return Line("Set-FleetRbac: no subject", "Set-FleetRbac -Name readers -ClusterRole view -Confirm:$false", "ManifestInvalid");
        yield return Line("Set-FleetRbac: -ServiceAccount without a namespace", "Set-FleetRbac -Name readers -ClusterRole view -ServiceAccount robot -Confirm:$false", "ManifestInvalid");
        yield return Line("Set-FleetRbac: -ClusterRole empty", "Set-FleetRbac -Name readers -ClusterRole '' -Group ops -Confirm:$false", Empty);
        yield return Line("Set-FleetRbac: -MaxObjects 0", "Set-FleetRbac -Name readers -ClusterRole view -Group ops -MaxObjects 0 -Confirm:$false", Validation);
        yield return Line("Test-FleetRbac: a rule with verb 'fly'", "Test-FleetRbac -Name readers -Rule @{ resources = 'pods'; verbs = 'fly' } -Group ops", "ManifestInvalid");
        yield return Line("Test-FleetRbac: -Cluster wildcard matching nothing", "Test-FleetRbac -Name readers -ClusterRole view -Group ops -Cluster 'qa-*'", "NoClustersSelected");
        yield return Line("Get-FleetRbac: -Cluster not in the fleet", "Get-FleetRbac -Cluster prod-q", "ClusterNotFound");
        const string oidc = "-ClientId kubernetes -ManagementCluster prod-a -Confirm:$false";
        yield return Line("Set-FleetOidc: an http issuer", "Set-FleetOidc -IssuerUrl http://dex.example.com " + oidc, "OidcInputInvalid");
        yield return Line("Set-FleetOidc: an issuer that is not a URL", "Set-FleetOidc -IssuerUrl 'dex example' " + oidc, "OidcInputInvalid");
        yield return Line("Set-FleetOidc: an issuer with a query", "Set-FleetOidc -IssuerUrl 'https://dex.example.com/?a=b' " + oidc, "OidcInputInvalid");
        yield return Line("Set-FleetOidc: -ClientId empty", "Set-FleetOidc -IssuerUrl https://dex.example.com -ClientId '' -Confirm:$false", "OidcInputInvalid");
        yield return Line("Set-FleetOidc: -Method 'Telepathy'", "Set-FleetOidc -IssuerUrl https://dex.example.com -Method Telepathy " + oidc, Validation);
        yield return Line("Set-FleetOidc: -CaFile that does not exist", "Set-FleetOidc -IssuerUrl https://dex.example.com -CaFile ./no-such-ca.pem " + oidc, "OidcInputInvalid");
        yield return Line("Set-FleetOidc: -GroupBinding to an empty role", "Set-FleetOidc -IssuerUrl https://dex.example.com -GroupBinding @{ ops = '' } " + oidc, "OidcInputInvalid");
        yield return Line("Set-FleetOidc: -Provider 'Okta2'", "Set-FleetOidc -IssuerUrl https://dex.example.com -Provider Okta2 " + oidc, Conversion);
        yield return Line("New-FleetOidcConfig: a connector of type 'fax'", "New-FleetOidcConfig -Connector @{ type = 'fax'; id = 'f'; name = 'F' } -IssuerUrl https://dex.example.com -ClientId kubernetes -OutputPath ./out", "OidcInputInvalid");
        yield return Line("New-FleetOidcConfig: -RedirectUri ftp", "New-FleetOidcConfig -Connector @{ type = 'github'; id = 'gh'; name = 'GitHub' } -RedirectUri ftp://x -IssuerUrl https://dex.example.com -ClientId kubernetes -OutputPath ./out", "OidcInputInvalid");
        yield return Line("New-FleetOidcConfig: -Replicas 0", "New-FleetOidcConfig -Connector @{ type = 'github'; id = 'gh'; name = 'GitHub' } -Replicas 0 -IssuerUrl https://dex.example.com -ClientId kubernetes -OutputPath ./out", "OidcInputInvalid");
        yield return Line("New-FleetOidcConfig: -KubernetesVersion 'one'", "New-FleetOidcConfig -Connector @{ type = 'github'; id = 'gh'; name = 'GitHub' } -KubernetesVersion one -IssuerUrl https://dex.example.com -ClientId kubernetes -OutputPath ./out", "OidcInputInvalid");

        // Configuration: secrets.
        yield return Line("Sync-FleetSecret: -Kind 'Vault'", "Sync-FleetSecret -Name db -Kind Vault -Data @{ a = 'b' } -Confirm:$false", Validation);
        yield return Line("Sync-FleetSecret: an empty -Value", "Sync-FleetSecret -Name db -Value ([securestring]::new()) -Confirm:$false", "SecretValueEmpty");
        yield return Line("Sync-FleetSecret: a plain string -Value", "Sync-FleetSecret -Name db -Value 'hunter2' -Confirm:$false", "SecretValueNotSecure");
        yield return Line("Sync-FleetSecret: -Key with a slash", "Sync-FleetSecret -Name db -Key 'pass/word' -Value (ConvertTo-SecureString x -AsPlainText -Force) -Confirm:$false", "SecretKeyInvalid");
        yield return Line("Sync-FleetSecret: -Data empty", "Sync-FleetSecret -Name db -Data @{} -Confirm:$false", "SecretValueEmpty");
        yield return Line("Sync-FleetSecret: -Data with a key with a space", "Sync-FleetSecret -Name db -Data @{ 'pass word' = (ConvertTo-SecureString 'b' -AsPlainText -Force) } -Confirm:$false", "SecretKeyInvalid");
        yield return Line("Sync-FleetSecret: -SourceCluster not in the fleet", "Sync-FleetSecret -Name db -SourceCluster prod-q -Confirm:$false", "ClusterNotFound");
        yield return Line("Sync-FleetSecret: -Value and -Data together", "Sync-FleetSecret -Name db -Value (ConvertTo-SecureString x -AsPlainText -Force) -Data @{ a = (ConvertTo-SecureString 'b' -AsPlainText -Force) } -Confirm:$false", "SecretSourceConflict");
        yield return Line("Sync-FleetSecret: -Path that does not exist", "Sync-FleetSecret -Path ./no-such-secret.yaml -Confirm:$false", "ManifestInvalid");
        yield return Line("Sync-FleetSecret: -Name with capitals", "Sync-FleetSecret -Name DB_Password -Data @{ a = (ConvertTo-SecureString 'b' -AsPlainText -Force) } -Confirm:$false", "ManifestInvalid");
        yield return Line("Sync-FleetSecret: a wave naming a cluster not in the fleet", "Sync-FleetSecret -Name db -Data @{ a = (ConvertTo-SecureString 'b' -AsPlainText -Force) } -Wave 'prod-q' -Confirm:$false", "SecretWaveInvalid");
        yield return Line("Sync-FleetSecret: -MaxClusters 0", "Sync-FleetSecret -Name db -Data @{ a = 'b' } -MaxClusters 0 -Confirm:$false", Validation);
        yield return Line("Test-FleetSecret: -SourceCluster not in the fleet", "Test-FleetSecret -Name db -SourceCluster prod-q", "ClusterNotFound");
        yield return Line("Test-FleetSecret: -SourceSelector that does not parse", "Test-FleetSecret -SourceSelector 'app in (db' -SourceCluster prod-a", "SelectorInvalid");

        // Delivery (Argo CD).
        yield return Line("Register-FleetArgoCluster: a management cluster not in the fleet", "Register-FleetArgoCluster -ManagementCluster argo-q -Confirm:$false", "ClusterNotFound");
        yield return Line("Register-FleetArgoCluster: -Cluster wildcard matching nothing", "Register-FleetArgoCluster -ManagementCluster prod-a -Cluster 'edge-*' -Confirm:$false", "NoClustersSelected");
        yield return Line("Unregister-FleetArgoCluster: a management cluster not in the fleet", "Unregister-FleetArgoCluster -ManagementCluster argo-q -Cluster prod-b -Confirm:$false", "ClusterNotFound");
        const string appSet = "-RepoUrl https://github.com/example/apps.git -Path apps/web -DestinationNamespace web -ManagementCluster prod-a -Confirm:$false";
        yield return Line("New-FleetApplicationSet: -Name with capitals", "New-FleetApplicationSet -Name Web_App " + appSet, "NameInvalid");
        yield return Line("New-FleetApplicationSet: -Generator 'matrix2'", "New-FleetApplicationSet -Name web -Generator matrix2 " + appSet, Validation);
        yield return Line("New-FleetApplicationSet: a template parameter never defined", "New-FleetApplicationSet -Name web -HelmParameter @{ replicas = '{{values.replicas}}' } " + appSet, "TemplateParameterUndefined");
        yield return Line("New-FleetApplicationSet: a wave naming a cluster not in the fleet", "New-FleetApplicationSet -Name web -Wave 'prod-q' " + appSet, "PlacementEmpty");
        yield return Line("New-FleetApplicationSet: an Argo CD namespace the management cluster lacks", "New-FleetApplicationSet -Name web -RepoUrl https://github.com/example/apps.git -Path apps/web -DestinationNamespace web -ArgoNamespace argo-q -ManagementCluster prod-a -Confirm:$false", "ArgoNamespaceNotFound");
        yield return Line("Get-FleetApplication: a management cluster not in the fleet", "Get-FleetApplication -ManagementCluster argo-q", "ClusterNotFound");

        // Observability: monitoring.
        yield return Line("New-FleetMonitoringConfig: -Provider 'Nagios'", "New-FleetMonitoringConfig -Provider Nagios -OutputPath ./out", Conversion);
        yield return Line("New-FleetMonitoringConfig: an endpoint for a cluster not in the fleet", "New-FleetMonitoringConfig -Provider Thanos -Endpoint @{ 'prod-q' = 'https://q.example.com:10901' } -OutputPath ./out", "EndpointInvalid");
        yield return Line("New-FleetMonitoringConfig: -Match with an unclosed brace", "New-FleetMonitoringConfig -Provider Prometheus -Match '{job=~\"x\"' -OutputPath ./out", "MatchSelectorInvalid");
        yield return Line("New-FleetMonitoringConfig: Thanos with a -Match that does not parse", "New-FleetMonitoringConfig -Provider Thanos -Match 'up{job' -OutputPath ./out", "MatchSelectorInvalid");
        yield return Line("New-FleetMonitoringConfig: -Endpoint a URL for the management cluster", "New-FleetMonitoringConfig -Provider Prometheus -Endpoint @{ 'prod-a' = 'http://prometheus.example.com:9090/federate' } -OutputPath ./out", "EndpointInvalid");
        yield return Line("New-FleetMonitoringConfig: -Endpoint with a space", "New-FleetMonitoringConfig -Provider Thanos -Endpoint @{ 'prod-b' = 'thanos sidecar' } -OutputPath ./out", "EndpointInvalid");
        yield return Line("New-FleetMonitoringConfig: -Port 0", "New-FleetMonitoringConfig -Provider Thanos -Port 0 -OutputPath ./out", Validation);
        yield return Line("New-FleetMonitoringConfig: -Scheme 'ftp'", "New-FleetMonitoringConfig -Provider Thanos -Scheme ftp -OutputPath ./out", Validation);
        yield return Line("New-FleetMonitoringConfig: an external label key with a space", "New-FleetMonitoringConfig -Provider Thanos -ExternalLabel @{ 'bad key' = 'x' } -OutputPath ./out", "ExternalLabelInvalid");
        yield return Line("New-FleetMonitoringConfig: -ClusterLabel starting with a digit", "New-FleetMonitoringConfig -Provider Thanos -ClusterLabel 1cluster -OutputPath ./out", "ExternalLabelInvalid");
        yield return Line("Test-FleetMonitoring: -ProbePort 70000", "Test-FleetMonitoring -Provider Thanos -ProbePort 70000", Validation);
        yield return Line("Test-FleetMonitoring: -ProbeTimeoutSeconds 0", "Test-FleetMonitoring -Provider Thanos -ProbeTimeoutSeconds 0", Validation);
        yield return Line("Test-FleetMonitoring: a management cluster not in the fleet", "Test-FleetMonitoring -Provider Thanos -ManagementCluster mon-q", "ClusterNotFound");
    }
}
