using System.Management.Automation;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Observability.Events;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Observability;

/// <summary>
/// Gets the events of every selected cluster, Warning by default, newest first across the fleet;
/// with -Watch, streams new events from every cluster until Ctrl+C (or -TimeoutSeconds).
/// </summary>
[Cmdlet(VerbsCommon.Get, "FleetEvent")]
[OutputType(typeof(FleetEvent))]
public sealed class GetFleetEventCommand : FanOutCmdlet
{
    /// <summary>Warning (the default), Normal, or All.</summary>
    [Parameter]
    [ValidateSet("All", "Warning", "Normal")]
    public string Type { get; set; } = "Warning";

    /// <summary>One namespace; every namespace when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Namespace { get; set; }

    /// <summary>Only events last seen within this time span.</summary>
    [Parameter]
    public TimeSpan Since { get; set; }

    /// <summary>The object the events are about: Kind/Name (Pod/web-7d4b9c6f5-x2x9k) or just Name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? InvolvedObject { get; set; }

    /// <summary>Only events with this reason (BackOff, Failed, FailedScheduling ...), matched exactly.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Reason { get; set; }

    /// <summary>Streams new events as they happen until Ctrl+C, or until -TimeoutSeconds have passed.</summary>
    [Parameter]
    public SwitchParameter Watch { get; set; }

    protected override void ProcessRecord() => CollectClusters();

    protected override void EndProcessing()
    {
        EventQuery query;
        try
        {
            query = EventQuery.Create(Type, Namespace, MyInvocation.BoundParameters.ContainsKey(nameof(Since)) ? Since : null,
                InvolvedObject, Reason);
        }
        catch (FleetException ex)
        {
            Terminate(ex);
            return;
        }
        var clusters = SelectClusters();
        if (clusters.Count == 0) return;
        var connector = RunspaceSessions.Current.Connector;
        if (Watch)
        {
            var watcher = new FleetEventWatcher(connector,
                new EventWatchOptions { Duration = TimeoutSeconds > 0 ? TimeSpan.FromSeconds(TimeoutSeconds) : null });
            RunEngine(async cancel =>
            {
                await foreach (var outcome in watcher.WatchAsync(clusters, query, cancel).ConfigureAwait(false))
                {
                    if (outcome.Error is { } error) EmitError(error);
                    else await EmitAsync(outcome.Value).ConfigureAwait(false);
                }
            });
            return;
        }
        var reader = new FleetEventReader(connector);
        var options = FanOutSettings();
        RunEngine(async cancel =>
        {
            var listing = await reader.ListAsync(clusters, query, options, cancel).ConfigureAwait(false);
            foreach (var error in listing.Errors) EmitError(error);
            foreach (var e in listing.Events) await EmitAsync(e).ConfigureAwait(false);
        });
    }
}
