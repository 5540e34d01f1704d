using System.Management.Automation;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Lifecycle;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Lifecycle;

/// <summary>
/// Reads the admin kubeconfig Cluster API wrote for each cluster (secret NAME-kubeconfig on the
/// management cluster). Returns it as a FleetClusterCredential whose content never shows in
/// output, or with -Merge adds its context to a kubeconfig file (written owner-only) and the
/// cluster to the session's fleet, so it pipes straight into Test-FleetCluster.
/// </summary>
[Cmdlet(VerbsCommon.Get, "FleetClusterCredential", DefaultParameterSetName = InputSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FleetClusterCredential), typeof(FleetCluster))]
public sealed class GetFleetClusterCredentialCommand : LifecycleCmdlet
{
    /// <summary>Adds each cluster's context to the kubeconfig file and the cluster to the session's fleet; emits the clusters.</summary>
    [Parameter]
    public SwitchParameter Merge { get; set; }

    /// <summary>With -Merge: the kubeconfig file to add the contexts to; the session's first kubeconfig file (else ~/.kube/config) when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KubeconfigPath { get; set; }

    /// <summary>How long each cluster may take; 0 means no limit.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public int TimeoutSeconds { get; set; }

    protected override void ProcessRecord() => CollectTargets();

    protected override void EndProcessing()
    {
        if (KubeconfigPath is not null && !Merge)
        {
            Terminate(new FleetInputException(FleetErrorIds.KubeconfigInvalid, FleetErrorCategory.InvalidArgument, KubeconfigPath,
                "-KubeconfigPath names the file -Merge writes; add -Merge, or leave it out to get the credential objects."));
        }
        var targets = ResolveTargets();
        var session = RunspaceSessions.Current;
        var service = new ClusterLifecycleService(session);
        if (!Merge)
        {
            if (targets.Count > 0) RunLifecycle(cancel => service.GetCredentialsAsync(targets, FanOutSettings(TimeoutSeconds), cancel));
            return;
        }
        string path;
        try
        {
            path = KubeconfigPath is null
                ? ClusterKubeconfigFile.DefaultPath(session.Kubeconfig)
                : SessionState.Path.GetUnresolvedProviderPathFromPSPath(KubeconfigPath);
        }
        catch (FleetException ex) { Terminate(ex); return; }
        var confirmed = targets.Where(t => ShouldProcess(path, $"add the context of cluster '{t.Name}'")).ToList();
        if (confirmed.Count > 0) RunLifecycle(cancel => service.MergeCredentialsAsync(confirmed, path, FanOutSettings(TimeoutSeconds), cancel));
    }
}
