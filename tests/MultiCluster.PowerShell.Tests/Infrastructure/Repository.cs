namespace MultiCluster.PowerShell.Tests.Infrastructure;

/// <summary>Where the repository and the built module are, from the test's output folder.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>The module folder <c>dotnet build</c> lays out; tests import it exactly as users do.</summary>
    public static string ModuleManifest => Path.Combine(Root, "out", "MultiCluster", "MultiCluster.psd1");

    public static string ModuleDirectory => Path.Combine(Root, "out", "MultiCluster");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MultiCluster.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("MultiCluster.sln not found above " + AppContext.BaseDirectory);
    }
}
