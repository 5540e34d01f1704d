using System.Runtime.InteropServices;

/// <summary>What this process's standard input is connected to.</summary>
internal static class StandardInput
{
    /// <summary>
    /// True when stdin is a pipe or socket a parent holds: its end of file means the parent is done
    /// (or gone). False for a terminal, /dev/null or a file, whose end says nothing about the parent.
    /// </summary>
    public static bool IsPipe()
    {
        if (!Console.IsInputRedirected) return false;
        if (OperatingSystem.IsWindows()) return GetFileType(GetStdHandle(StdInputHandle)) == FileTypePipe;
        if (OperatingSystem.IsLinux())
        {
            var target = new FileInfo("/proc/self/fd/0").LinkTarget ?? "";
            return target.StartsWith("pipe:", StringComparison.Ordinal) || target.StartsWith("socket:", StringComparison.Ordinal);
        }
        // Elsewhere (macOS) a redirected stdin is taken as the parent's pipe, as before.
        return true;
    }

    private const int StdInputHandle = -10;
    private const uint FileTypePipe = 3;

    [DllImport("kernel32.dll")]
    private static extern nint GetStdHandle(int handle);

    [DllImport("kernel32.dll")]
    private static extern uint GetFileType(nint handle);
}
