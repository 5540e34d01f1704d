using System.Collections;
using System.Management.Automation;
using MultiCluster.Testing;

namespace MultiCluster.PowerShell.Tests.Infrastructure;

/// <summary>
/// Fails a PowerShell run in which a credential the test bed issued (they all carry
/// <see cref="SecretCanary.Marker"/>) escaped: in any of the six streams, in <c>$Error</c> with
/// every inner exception and its properties serialized as Export-Clixml would write them, or in a
/// file the run wrote in the emulators' folders (mc-ps-*, where the scenarios write) that others may read (owner-only files, such as
/// merged kubeconfigs, are where credentials belong). <see cref="PowerShellSession.Run"/> applies
/// it to every scenario of this suite, success and failure paths alike.
/// </summary>
public static class SecretCanaryScan
{
    private const int SerializationDepth = 3;
    private const long LargestFileScanned = 4 * 1024 * 1024;

    /// <summary>Throws when the marker is found; clears <c>$Error</c> after scanning it, so each run's errors are scanned once.</summary>
    public static void Check(PowerShellResult result, ArrayList? errorVariable, DateTime startedUtc)
    {
        var findings = new List<string>();
        Scan(findings, "a stream", result.AllText());
        foreach (var output in result.RawOutput)
            Scan(findings, "the output (serialized)", Serialize(output));
        foreach (var record in result.Errors.Concat(result.TerminatingRecord is { } t ? [t] : []))
            ScanRecord(findings, record);
        if (errorVariable is not null)
        {
            foreach (var entry in errorVariable.Cast<object?>().ToList())
            {
                if (entry is ErrorRecord record) ScanRecord(findings, record);
                else if (entry is Exception exception) ScanException(findings, exception);
            }
            errorVariable.Clear();
        }
        foreach (var file in FilesWrittenSince(startedUtc))
        {
            string text;
            try { text = File.ReadAllText(file); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            Scan(findings, $"the file {file} (readable by others)", text);
        }
        if (findings.Count > 0)
            // The message names where, never the marker: a log of this failure must not trip the scan itself.
            throw new InvalidOperationException($"A test bed credential escaped into: {string.Join("; ", findings.Distinct())}.");
    }

    private static void ScanRecord(List<string> findings, ErrorRecord record)
    {
        Scan(findings, $"error record {record.FullyQualifiedErrorId} (serialized)", Serialize(record));
        Scan(findings, $"error record {record.FullyQualifiedErrorId}", record.ToString() + record.ErrorDetails?.Message + record.TargetObject);
        ScanException(findings, record.Exception);
    }

    private static void ScanException(List<string> findings, Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            Scan(findings, $"exception {e.GetType().Name} (serialized)", Serialize(e));
            Scan(findings, $"exception {e.GetType().Name}", e.ToString());
        }
    }

    private static string Serialize(object? value)
    {
        if (value is null) return "";
        try { return PSSerializer.Serialize(value, SerializationDepth); }
        catch (Exception ex) when (ex is not OutOfMemoryException) { return value.ToString() ?? ""; }
    }

    private static void Scan(List<string> findings, string where, string? text)
    {
        if (text is not null && text.Contains(SecretCanary.Marker, StringComparison.Ordinal)) findings.Add(where);
    }

    // Where this suite's runs write: the emulators' folders (mc-ps-*, where tests put -OutputPath
    // and kubeconfigs); not other suites' folders or logs in the temp folder.
    private static IEnumerable<string> FilesWrittenSince(DateTime startedUtc)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4, IgnoreInaccessible = true, AttributesToSkip = 0 };
        List<string> files;
        try
        {
            files = [];
            foreach (var directory in Directory.EnumerateDirectories(Path.GetTempPath(), "mc-ps-*"))
                files.AddRange(Directory.EnumerateFiles(directory, "*", options));
        }
        catch (IOException) { yield break; }
        foreach (var file in files)
        {
            FileInfo info;
            try
            {
                info = new FileInfo(file);
                if (!info.Exists || info.LastWriteTimeUtc < startedUtc || info.Length > LargestFileScanned) continue;
                if (!OperatingSystem.IsWindows() && (info.UnixFileMode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) == 0) continue;
            }
            catch (IOException) { continue; }
            yield return file;
        }
    }
}
