using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using MultiCluster.Engine.Inventory;

namespace MultiCluster.Infrastructure;

/// <summary>One engine session (current fleet, kubeconfig, cached clients) per PowerShell runspace.</summary>
internal static class RunspaceSessions
{
    private static readonly ConditionalWeakTable<Runspace, FleetSession> ByRunspace = new();
    private static readonly FleetSession Detached = new(); // no runspace: a host calling cmdlets directly

    /// <summary>The session of the runspace running on this thread.</summary>
    public static FleetSession Current
    {
        get
        {
            var runspace = Runspace.DefaultRunspace;
            if (runspace is null) return Detached;
            return ByRunspace.GetValue(runspace, Create);
        }
    }

    private static FleetSession Create(Runspace runspace)
    {
        var session = new FleetSession();
        runspace.StateChanged += (_, e) =>
        {
            if (e.RunspaceStateInfo.State is RunspaceState.Closed or RunspaceState.Broken)
                session.Dispose();
        };
        return session;
    }
}
