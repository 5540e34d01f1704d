using System.Collections.Concurrent;
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

    protected override void ProcessRecord() => CollectTargets();

    protected override void EndProcessing()
    {
        if (KubeconfigPath is not null && !Merge)
        {
            Terminate(new FleetInputException(FleetErrorIds.KubeconfigInvalid, FleetErrorCategory.InvalidArgument, KubeconfigPath,
                "-KubeconfigPath names the file -Merge writes; add -Merge, or leave it out to get the credential objects."));
        }
        var targets = ResolveTargets();
        var session = Sessions.Current;
        var path = "";
        if (Merge)
        {
            try
            {
                path = KubeconfigPath is null
                    ? ClusterKubeconfigFile.DefaultPath(session.Kubeconfig)
                    : SessionState.Path.GetUnresolvedProviderPathFromPSPath(KubeconfigPath);
            }
            catch (FleetException ex) { Terminate(ex); return; }
        }
        var confirmed = Merge
            ? targets.Where(t => ShouldProcess(path, $"add the context of cluster '{t.Name}'")).ToList()
            : targets;
        var reader = new ClusterKubeconfigReader(session.Connector);
        var merged = new ConcurrentBag<FleetCluster>();
        RunPerCluster(confirmed, async (target, cancel) =>
        {
            var kubeconfig = await reader.ReadAsync(target.Management, target.Namespace, target.Name, cancel).ConfigureAwait(false);
            var secretName = ClusterKubeconfigReader.SecretName(target.Name);
            var source = $"secret {target.Namespace}/{secretName} on '{target.Management.Name}'";
            var summary = ClusterKubeconfigFile.Describe(kubeconfig, source);
            if (!Merge)
            {
                Emit(new FleetClusterCredential(kubeconfig)
                {
                    Cluster = target.Name,
                    ManagementCluster = target.Management.Name,
                    Namespace = target.Namespace,
                    SecretName = secretName,
                    Context = summary.Context,
                    Server = summary.Server,
                });
                return;
            }
            ClusterKubeconfigFile.Merge(path, kubeconfig, source);
            OnPipeline(() => WriteVerbose($"Cluster '{target.Name}': context '{summary.Context}' merged into {path}."));
            var member = target.Known ?? new FleetCluster { Name = target.Name, Role = FleetClusterRole.Workload };
            merged.Add(member with
            {
                Context = summary.Context ?? ClusterKubeconfigReader.ContextName(target.Name),
                Kubeconfig = path,
                ManagementCluster = target.Management.Name,
                ClusterApiNamespace = target.Namespace,
            });
        });
        if (merged.IsEmpty) return;
        // The fleet changes before the clusters go down the pipeline, so the next cmdlet finds them.
        SessionFleet.Add(session, merged.ToList());
        var order = targets.Select(t => t.Name).ToList();
        foreach (var cluster in merged.OrderBy(c => order.IndexOf(c.Name)))
            WriteObject(cluster);
    }
}
