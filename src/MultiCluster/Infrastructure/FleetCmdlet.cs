using System.Management.Automation;

namespace MultiCluster.Infrastructure;

/// <summary>
/// What every MultiCluster cmdlet needs and nothing domain-specific: a cancellation token that
/// Ctrl+C (StopProcessing) trips, a way to run engine work off the pipeline thread while its
/// output, errors, progress and verbose lines are written on it, and error translation.
/// Engine types appear only inside method bodies here, so the engine loads on first use.
/// </summary>
public abstract class FleetCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource _stopping = new();
    private PipelineBridge? _bridge;

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken StopToken => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool, with the engine reporting to this cmdlet,
    /// draining output on the pipeline thread. A failure that escapes the work terminates the
    /// cmdlet with its error record; per-cluster failures should go through <see cref="EmitError"/>.
    /// </summary>
    protected void RunEngine(Func<CancellationToken, Task> work)
    {
        var bridge = new PipelineBridge();
        _bridge = bridge;
        try
        {
            using (EngineHost.AttachReporter(this, bridge))
                bridge.Run(() => work(StopToken));
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowTerminatingError(ErrorRecords.From(ex));
        }
        finally
        {
            _bridge = null;
        }
    }

    /// <summary>Writes an object to the pipeline (from any thread while <see cref="RunEngine"/> runs).</summary>
    protected void Emit(object? value)
    {
        if (_bridge is { } bridge) bridge.Post(() => WriteObject(value));
        else WriteObject(value);
    }

    /// <summary>Writes a non-terminating error for one target (from any thread while <see cref="RunEngine"/> runs).</summary>
    protected void EmitError(Exception error)
    {
        var record = ErrorRecords.From(error);
        if (_bridge is { } bridge) bridge.Post(() => WriteError(record));
        else WriteError(record);
    }

    /// <summary>Runs an action on the pipeline thread (ShouldProcess, WriteWarning ...).</summary>
    internal void OnPipeline(Action action)
    {
        if (_bridge is { } bridge) bridge.Post(action);
        else action();
    }

    /// <summary>Runs a function on the pipeline thread and awaits its result (script blocks, ShouldContinue), from any thread while <see cref="RunEngine"/> runs.</summary>
    internal Task<T> OnPipelineAsync<T>(Func<T> function) => _bridge is { } bridge ? bridge.Invoke(function) : Task.FromResult(function());

    /// <summary>True when -WhatIf is in force (the parameter or $WhatIfPreference).</summary>
    protected bool IsWhatIf =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var value)
            ? value is SwitchParameter { IsPresent: true }
            : SessionState.PSVariable.GetValue("WhatIfPreference") is true or SwitchParameter { IsPresent: true };

    /// <summary>Stops the cmdlet with the error an engine exception describes.</summary>
    protected void Terminate(Exception error) => ThrowTerminatingError(ErrorRecords.From(error));
}
