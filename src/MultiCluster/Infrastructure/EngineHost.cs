using System.Collections.Concurrent;
using System.Management.Automation;
using MultiCluster.Engine.Reporting;

namespace MultiCluster.Infrastructure;

/// <summary>Connects the engine's reporting to a running cmdlet.</summary>
internal static class EngineHost
{
    public static IDisposable AttachReporter(FleetCmdlet cmdlet, PipelineBridge bridge) =>
        FleetCallContext.Use(new CmdletReporter(cmdlet, bridge));

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
