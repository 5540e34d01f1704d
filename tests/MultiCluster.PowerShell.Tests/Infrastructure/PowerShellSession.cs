using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace MultiCluster.PowerShell.Tests.Infrastructure;

/// <summary>
/// A real PowerShell runspace (System.Management.Automation) with the built module imported from
/// out/MultiCluster, as a user's session would have it, with the full set of PowerShell's own
/// cmdlets (Microsoft.PowerShell.SDK): Select-Object, Export-Csv, ConvertTo-Json, Out-String ...
/// </summary>
public sealed class PowerShellSession : IDisposable
{
    private readonly Runspace _runspace;

    /// <param name="host">A host that answers prompts (see <see cref="AnsweringHost"/>); none by default, so nothing can prompt.</param>
    public PowerShellSession(bool importModule = true, IDictionary<string, string>? environment = null, System.Management.Automation.Host.PSHost? host = null)
    {
        var state = InitialSessionState.CreateDefault();
        _runspace = host is null ? RunspaceFactory.CreateRunspace(state) : RunspaceFactory.CreateRunspace(host, state);
        _runspace.Open();
        if (environment is not null)
        {
            foreach (var (name, value) in environment)
                Run("[Environment]::SetEnvironmentVariable($args[0], $args[1])", name, value);
        }
        if (importModule)
            Run("Import-Module $args[0] -ErrorAction Stop", Repository.ModuleManifest).ThrowIfFailed();
    }

    /// <summary>
    /// Runs a script with positional arguments (<c>$args</c>) and collects every stream. A
    /// terminating error (a cmdlet's ThrowTerminatingError) stops the script and is returned as
    /// <see cref="PowerShellResult.TerminatingRecord"/>, as a user's <c>try/catch</c> would see it.
    /// Every run goes through <see cref="SecretCanaryScan"/>: a test bed credential found in its
    /// streams, <c>$Error</c> or a file others can read fails the test.
    /// </summary>
    public PowerShellResult Run(string script, params object?[] arguments)
    {
        // Files the test wrote before the run are its own fixtures. A file's time comes from the kernel's
        // coarse clock, up to a tick behind DateTime.UtcNow: a file written at once could look older than the run.
        var started = DateTime.UtcNow - TimeSpan.FromSeconds(1);
        var result = RunUnchecked(script, arguments);
        SecretCanaryScan.Check(result, _runspace.SessionStateProxy.GetVariable("Error") as System.Collections.ArrayList, started);
        return result;
    }

    private PowerShellResult RunUnchecked(string script, object?[] arguments)
    {
        var caught = new List<ErrorRecord>();
        _runspace.SessionStateProxy.SetVariable("__terminatingErrors", caught);
        using var ps = System.Management.Automation.PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript("try {\n" + script + "\n} catch { $__terminatingErrors.Add($_) }");
        foreach (var argument in arguments)
            ps.AddArgument(argument);
        Collection<PSObject> output = new();
        Exception? terminating = null;
        try
        {
            output = ps.Invoke();
        }
        catch (RuntimeException ex)
        {
            terminating = ex;
        }
        return new PowerShellResult(
            output.Select(o => o?.BaseObject).ToList(),
            output.ToList(),
            ps.Streams.Error.ToList(),
            ps.Streams.Warning.Select(w => w.Message).ToList(),
            ps.Streams.Verbose.Select(v => v.Message).ToList(),
            ps.Streams.Debug.Select(d => d.Message).ToList(),
            ps.Streams.Progress.ToList(),
            ps.Streams.Information.Select(i => i.MessageData?.ToString() ?? "").ToList(),
            terminating ?? (caught.Count > 0 ? new RuntimeException(caught[0].Exception.Message, caught[0].Exception, caught[0]) : null));
    }

    /// <summary>A PowerShell instance on this session's runspace, for tests that drive it asynchronously (Ctrl+C).</summary>
    public System.Management.Automation.PowerShell CreatePowerShell()
    {
        var ps = System.Management.Automation.PowerShell.Create();
        ps.Runspace = _runspace;
        return ps;
    }

    public void Dispose() => _runspace.Dispose();
}

public sealed record PowerShellResult(
    IReadOnlyList<object?> Output,
    IReadOnlyList<PSObject> RawOutput,
    IReadOnlyList<ErrorRecord> Errors,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<string> Verbose,
    IReadOnlyList<string> Debug,
    IReadOnlyList<ProgressRecord> Progress,
    IReadOnlyList<string> Information,
    Exception? Terminating)
{
    /// <summary>The terminating error's record, when the script stopped on one.</summary>
    public ErrorRecord? TerminatingRecord => (Terminating as IContainsErrorRecord)?.ErrorRecord;

    /// <summary>Every text the run produced on any stream, for secret scans.</summary>
    public string AllText() => string.Join("\n",
        RawOutput.Select(o => o?.ToString())
            .Concat(Errors.Select(e => e.ToString() + " " + e.Exception?.ToString()))
            .Concat(Warnings).Concat(Verbose).Concat(Debug).Concat(Information)
            .Concat(Progress.Select(p => p.StatusDescription + " " + p.CurrentOperation))
            .Append(Terminating?.ToString()));

    public PowerShellResult ThrowIfFailed()
    {
        if (Terminating is not null)
            throw new InvalidOperationException("PowerShell script failed: " + Terminating.Message, Terminating);
        if (Errors.Count > 0)
            throw new InvalidOperationException("PowerShell script wrote errors: " + string.Join("; ", Errors.Select(e => e.FullyQualifiedErrorId + ": " + e)));
        return this;
    }
}
