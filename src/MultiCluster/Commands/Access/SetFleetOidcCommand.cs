using System.Collections;
using System.Management.Automation;
using MultiCluster.Engine.Access;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Access;

/// <summary>
/// Points the API servers of the selected Cluster API clusters at the OIDC issuer, through their
/// KubeadmControlPlanes on the management cluster, and binds OIDC groups to roles on each cluster.
/// </summary>
[Cmdlet(VerbsCommon.Set, "FleetOidc", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(FleetResourceResult))]
public sealed class SetFleetOidcCommand : OidcCmdlet
{
    /// <summary>The cluster running Cluster API; the fleet's cluster with role management when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string? ManagementCluster { get; set; }

    /// <summary>The namespace of the Cluster API Clusters; any namespace when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Namespace { get; set; }

    /// <summary>Auto (structured configuration from 1.30, flags before), Flags or AuthenticationConfiguration.</summary>
    [Parameter]
    [ValidateSet("Auto", "Flags", "AuthenticationConfiguration")]
    public string Method { get; set; } = "Auto";

    /// <summary>OIDC group (prefix included) to 'cluster-admin' or to rules as hashtables; bound on every selected cluster.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? GroupBinding { get; set; }

    protected override void EndProcessing()
    {
        var settings = ReadSettings();
        try { WriteVerbose($"Identity provider: {ResolveProvider(FleetIdentityProvider.Generic)}."); }
        catch (Exception ex) { Terminate(ex); return; }
        var session = RunspaceSessions.Current;
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        var whatIf = IsWhatIf;
        var options = FanOutSettings();
        FleetOidcMethod? method = Method == "Auto" ? null : Enum.Parse<FleetOidcMethod>(Method);
        var setup = new OidcSetup(session.Connector);
        OidcSetupPlan? plan = null;
        RunEngine(async cancel => plan = await setup.PlanAsync(settings, GroupBinding, session.GetFleet().Clusters, clusters, ManagementCluster, method, Namespace,
            options, cancel).ConfigureAwait(false));
        if (plan is null) return;
        foreach (var error in plan.Errors) WriteError(ErrorRecords.From(error));

        var changes = plan.Changes.Where(c => whatIf || !c.HasChanges || ShouldProcess(c.Description, "set OIDC")).ToList();
        var bindings = whatIf ? plan.Bindings : plan.Bindings.Where(t => ShouldProcess(t.Description, "bind OIDC group")).ToList();
        if (changes.Count == 0 && bindings.Count == 0) return;
        RunEngine(async cancel =>
        {
            await foreach (var result in setup.ApplyAsync(plan.Management, changes, bindings, whatIf, options, cancel).ConfigureAwait(false))
            {
                Emit(result);
                if (result.Error is { } error) EmitError(error);
            }
        });
    }
}
