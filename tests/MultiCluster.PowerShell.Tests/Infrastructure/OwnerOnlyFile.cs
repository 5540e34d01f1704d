namespace MultiCluster.PowerShell.Tests.Infrastructure;

/// <summary>
/// Writes a file the test makes that holds a test-bed credential (a kubeconfig) readable by its
/// owner only from the first byte, as kubeconfigs should be, so the secret canary of a scenario
/// running at the same time never finds it.
/// </summary>
public static class OwnerOnlyFile
{
    public static void Write(string path, string text)
    {
        if (OperatingSystem.IsWindows())
        {
            File.WriteAllText(path, text);
            return;
        }
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }
}
