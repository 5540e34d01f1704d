using System.Collections.Concurrent;
using System.Management.Automation;
using MultiCluster.Engine.Reporting;

namespace MultiCluster.Infrastructure;

/// <summary>Connects the engine's reporting to a running cmdlet.</summary>
internal static class EngineHost
{
    /// <summary>Makes this cmdlet the engine's reporter, and <paramref name="stop"/> the token work that cannot take one (building a connection) observes.</summary>
    public static IDisposable AttachReporter(FleetCmdlet cmdlet, PipelineBridge bridge, CancellationToken stop) =>
        FleetCallContext.Use(new CmdletReporter(cmdlet, bridge), stop);

    /// <summary>Forwards engine reports to the pipeline thread as verbose, debug, warning and progress records.</summary>
    private sealed class CmdletReporter(FleetCmdlet cmdlet, PipelineBridge bridge) : IFleetReporter
    {
        private const int FleetActivityId = 1;
        private readonly ConcurrentDictionary<string, int> _clusterActivityIds = new(StringComparer.OrdinalIgnoreCase);
        private int _nextActivityId = FleetActivityId;

        public void Verbose(string message) => bridge.Post(() => cmdlet.WriteVerbose(message));
        public void Debug(string message) => bridge.Post(() => cmdlet.WriteDebug(message));
        public void Warning(string message) => bridge.Post(() => cmdlet.WriteWarning(message));

        public void Progress(string? cluster, string activity, string status, int percentComplete, bool completed = false)
        {
            var id = cluster is null
                ? FleetActivityId
                : _clusterActivityIds.GetOrAdd(cluster, _ => Interlocked.Increment(ref _nextActivityId));
            var record = new ProgressRecord(id, activity, string.IsNullOrEmpty(status) ? activity : status)
            {
                PercentComplete = Math.Clamp(percentComplete, -1, 100),
                ParentActivityId = cluster is null ? -1 : FleetActivityId,
                RecordType = completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            };
            if (cluster is not null) record.CurrentOperation = cluster;
            bridge.Post(() => cmdlet.WriteProgress(record));
        }
    }
}
