using System.Management.Automation;
using MultiCluster.Engine.Configuration;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Configuration;

/// <summary>
/// Compares each selected cluster's copies with their source by content hash only: Missing,
/// Stale (the content, recomputed, or its annotation differs from the source's hash), Extra (a
/// copy this sync made that the source no longer has) or InSync. Changes nothing; shows no value.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "FleetSecret")]
[OutputType(typeof(FleetSecretStatus))]
public sealed class TestFleetSecretCommand : SecretSourceCmdlet
{
    protected override void EndProcessing()
    {
        var source = ReadSource();
        var clusters = SelectClusters();
        if (clusters.Count == 0 || source.Objects.Count == 0) return;
        var service = new SecretSyncService(RunspaceSessions.Current.Connector);
        var options = FanOutSettings();
        // An unreadable cluster gives an Unknown status per object but one error, as it failed once.
        var failedClusters = new HashSet<string>(StringComparer.Ordinal);
        RunEngine(async cancel =>
        {
            await foreach (var status in service.TestAsync(clusters, source, options, cancel).ConfigureAwait(false))
            {
                Emit(status);
                if (status.Error is { } error && failedClusters.Add(status.Cluster)) EmitError(error);
            }
        });
    }
}
