namespace MultiCluster.Testing;

/// <summary>
/// Finds the project's shared test data (<c>../shared/crds</c> beside the repository). Looks in
/// <c>$MULTICLUSTER_SHARED</c> first, then in every ancestor of the current directory and of this
/// assembly, so it works from a clone, a git worktree or a test runner's output folder.
/// </summary>
public static class SharedFiles
{
    private static readonly Lazy<string?> CrdsDirectory = new(FindCrds);

    /// <summary>The <c>shared/crds</c> folder, or null when it is absent on this machine.</summary>
    public static string? Crds => CrdsDirectory.Value;

    /// <summary>Why a test that needs the shared CRDs is skipped; null when they are present.</summary>
    public static string? CrdsMissingReason => Crds is null
        ? "../shared/crds is absent on this machine (set MULTICLUSTER_SHARED to the shared folder to run this test)"
        : null;

    private static string? FindCrds()
    {
        var fromEnv = Environment.GetEnvironmentVariable("MULTICLUSTER_SHARED");
        if (!string.IsNullOrEmpty(fromEnv) && Directory.Exists(Path.Combine(fromEnv, "crds")))
            return Path.GetFullPath(Path.Combine(fromEnv, "crds"));
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "crds");
                if (Directory.Exists(candidate) && File.Exists(Path.Combine(candidate, "README.md")))
                    return candidate;
            }
        }
        return null;
    }
}
