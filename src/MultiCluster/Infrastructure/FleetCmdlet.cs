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
    private volatile PipelineBridge? _bridge;
    private readonly int _pipelineThread = Environment.CurrentManagedThreadId; // PowerShell creates a cmdlet on its pipeline thread

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken StopToken => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool, with the engine reporting to this cmdlet,
    /// draining output on the pipeline thread. A failure that escapes the work terminates the
    /// cmdlet with its error record; per-cluster failures should go through <see cref="EmitError"/>.
    /// Whatever way this returns or throws (Ctrl+C, an error under -ErrorAction Stop, a downstream
    /// Select-Object -First), the work has been cancelled and has ended: nothing runs on unobserved.
    /// </summary>
    protected void RunEngine(Func<CancellationToken, Task> work)
    {
        using var engineStop = CancellationTokenSource.CreateLinkedTokenSource(StopToken);
        var bridge = new PipelineBridge();
        _bridge = bridge;
        try
        {
            using (EngineHost.AttachReporter(this, bridge, engineStop.Token))
                bridge.Run(() => work(engineStop.Token), engineStop);
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception ex) when (ex is not (PipelineStoppedException or ActionPreferenceStopException))
        {
            ThrowTerminatingError(ErrorRecords.From(ex));
        }
        finally
        {
            _bridge = null;
        }
    }

    /// <summary>
    /// Runs a synchronous engine step (a plan that builds connections, so runs exec credential
    /// plugins and warns about insecure TLS) inside the engine's scope: the reporter attached,
    /// stopped by Ctrl+C, its errors mapped like every other.
    /// </summary>
    protected T RunEngineStep<T>(Func<T> step)
    {
        T result = default!;
        RunEngine(_ =>
        {
            result = step();
            return Task.CompletedTask;
        });
        return result;
    }

    /// <summary>Writes an object to the pipeline (from any thread while <see cref="RunEngine"/> runs).</summary>
    protected void Emit(object? value) => OnPipeline(() => WriteObject(value));

    /// <summary>
    /// Writes an object to the pipeline and completes once it has been written (and the commands
    /// downstream have taken it): the engine reads no further ahead than the pipeline consumes,
    /// so a <c>Select-Object -First</c> stops it before it asks for more.
    /// </summary>
    protected Task EmitAsync(object? value) => OnPipelineAsync(() =>
    {
        WriteObject(value);
        return true;
    });

    /// <summary>
    /// Writes a non-terminating error for one target (from any thread while <see cref="RunEngine"/> runs).
    /// An error already written is not written again: the results of a cluster that failed as a whole
    /// (unreachable, timed out) each carry its one error, and one failure is one record.
    /// </summary>
    protected void EmitError(Exception error) => OnPipeline(() =>
    {
        if (_writtenErrors.Add(error)) WriteError(ErrorRecords.From(error));
    });

    private readonly HashSet<Exception> _writtenErrors = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// Runs an action on the pipeline thread (ShouldProcess, WriteWarning ...): queued while
    /// <see cref="RunEngine"/> runs, run at once on the pipeline thread, dropped from any other
    /// thread (work that outlived its command has nobody to write to).
    /// </summary>
    internal void OnPipeline(Action action)
    {
        if (_bridge is { } bridge) bridge.Post(action);
        else if (OnPipelineThread) action();
    }

    /// <summary>
    /// Runs a function on the pipeline thread and awaits its result (script blocks, ShouldContinue),
    /// from any thread while <see cref="RunEngine"/> runs; cancelled when called from another thread
    /// outside it, never run there.
    /// </summary>
    internal Task<T> OnPipelineAsync<T>(Func<T> function)
    {
        if (_bridge is { } bridge) return bridge.Invoke(function);
        return OnPipelineThread ? Task.FromResult(function()) : Task.FromCanceled<T>(new CancellationToken(canceled: true));
    }

    private bool OnPipelineThread => Environment.CurrentManagedThreadId == _pipelineThread;

    /// <summary>True when -WhatIf is in force (the parameter or $WhatIfPreference).</summary>
    protected bool IsWhatIf =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var value)
            ? value is SwitchParameter { IsPresent: true }
            : SessionState.PSVariable.GetValue("WhatIfPreference") is true or SwitchParameter { IsPresent: true };

    /// <summary>Stops the cmdlet with the error an engine exception describes.</summary>
    protected void Terminate(Exception error) => ThrowTerminatingError(ErrorRecords.From(error));
}
