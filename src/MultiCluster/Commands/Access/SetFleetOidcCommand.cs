using System.Collections;
using System.Management.Automation;
using MultiCluster.Engine.Access;
using MultiCluster.Engine.FanOut;
using MultiCluster.Engine.Lifecycle;
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
        IReadOnlyList<RbacDefinition> bindings;
        try { bindings = OidcGroupBindings.Create(GroupBinding); }
        catch (Exception ex) { Terminate(ex); return; }
        FleetCluster management;
        try { management = ManagementClusters.Resolve(Sessions.Current.GetFleet().Clusters, ManagementCluster); }
        catch (Exception ex) { Terminate(ex); return; }

        var clusters = SelectClusters().Where(c => !string.Equals(c.Name, management.Name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (clusters.Count == 0) return;
        var rbac = new RbacService(Sessions.Current.Connector);
        var rbacTargets = bindings.Count == 0 ? [] : RunEngineStep(() => rbac.Plan(clusters, bindings));

        var whatIf = IsWhatIf;
        var options = FanOutSettings();
        FleetOidcMethod? method = Method == "Auto" ? null : Enum.Parse<FleetOidcMethod>(Method);
        var service = new OidcControlPlaneService(Sessions.Current.Connector);
        var changes = new List<OidcControlPlaneChange>();
        RunEngine(async cancel =>
        {
            await foreach (var outcome in service.PlanAsync(management, clusters, settings, method, Namespace, options, cancel).ConfigureAwait(false))
            {
                if (outcome.Value is { } change) changes.Add(change);
                if (outcome.Error is { } error) EmitError(error);
            }
        });

        var confirmed = changes.Where(c => whatIf || !c.HasChanges || ShouldProcess(c.Description, "set OIDC")).ToList();
        if (confirmed.Count > 0)
        {
            RunEngine(async cancel =>
            {
                await foreach (var result in service.ApplyAsync(management, confirmed, whatIf, options, cancel).ConfigureAwait(false))
                {
                    Emit(result);
                    if (result.Error is { } error) EmitError(error);
                }
            });
        }

        var confirmedBindings = whatIf ? rbacTargets : rbacTargets.Where(t => ShouldProcess(t.Description, "bind OIDC group")).ToList();
        if (confirmedBindings.Count == 0) return;
        RunEngine(async cancel =>
        {
            await foreach (var result in rbac.ApplyAsync(confirmedBindings, new ApplyOptions { WhatIf = whatIf, FanOut = options }, cancel).ConfigureAwait(false))
            {
                Emit(result);
                if (result.Error is { } error) EmitError(error);
            }
        });
    }
}
