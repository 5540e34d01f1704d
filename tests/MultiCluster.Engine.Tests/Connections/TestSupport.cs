using System.Collections.Concurrent;
using MultiCluster.Engine.Reporting;

namespace MultiCluster.Engine.Tests.Connections;

/// <summary>Keeps every line the engine reports, for assertions.</summary>
public sealed class RecordingReporter : IFleetReporter
{
    private readonly ConcurrentQueue<string> _verbose = new();
    private readonly ConcurrentQueue<string> _debug = new();
    private readonly ConcurrentQueue<string> _warnings = new();

    public IReadOnlyList<string> VerboseLines => _verbose.ToArray();
    public IReadOnlyList<string> DebugLines => _debug.ToArray();
    public IReadOnlyList<string> Warnings => _warnings.ToArray();

    /// <summary>Every line reported, whatever the stream: what a secret check searches.</summary>
    public IEnumerable<string> AllLines => VerboseLines.Concat(DebugLines).Concat(Warnings);

    public void Verbose(string message) => _verbose.Enqueue(message);
    public void Debug(string message) => _debug.Enqueue(message);
    public void Warning(string message) => _warnings.Enqueue(message);
    public void Progress(string? cluster, string activity, string status, int percentComplete, bool completed = false) { }
}

/// <summary>A temporary folder removed after the test.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mc-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Write(string relativePath, string content)
    {
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A fact that needs a POSIX shell (exec plugin scripts); skipped on Windows.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "needs /bin/sh to run the test plugin scripts";
    }
}
