namespace MultiCluster.Engine.Connections;

/// <summary>
/// Where the session's kubeconfig comes from: <c>$KUBECONFIG</c> (or <c>~/.kube/config</c>), explicit
/// files, or content held in a string (an Automation variable). Never shows the content.
/// </summary>
public sealed class KubeconfigSource
{
    /// <summary>What messages call a kubeconfig that came from a string.</summary>
    public const string ContentName = "<content>";

    private KubeconfigSource(IReadOnlyList<string> files, string? content, bool fromEnvironment, string? baseDirectory = null,
        IReadOnlyList<string>? inMemory = null)
    {
        Files = files;
        Content = content;
        IsFromEnvironment = fromEnvironment;
        BaseDirectory = baseDirectory;
        InMemory = inMemory ?? [];
    }

    /// <summary>The files merged, first wins; empty when the kubeconfig came from a string.</summary>
    public IReadOnlyList<string> Files { get; }

    public bool IsFromEnvironment { get; }
    public bool IsContent => Content is not null;

    internal string? Content { get; }

    /// <summary>What relative paths in <see cref="Content"/> resolve against (the PowerShell location); null: the process's current directory.</summary>
    internal string? BaseDirectory { get; }

    /// <summary>
    /// Kubeconfigs the session holds in memory only (what Import-Fleet -From discovered), newest
    /// first; merged ahead of the files or content, so their contexts win.
    /// </summary>
    internal IReadOnlyList<string> InMemory { get; }

    /// <summary>The files searched, or "&lt;content&gt;", and how many kubeconfigs are held in memory: safe to show in messages.</summary>
    public string Description
    {
        get
        {
            var main = IsContent ? ContentName : Files.Count == 0 ? "(no kubeconfig file)" : string.Join(Path.PathSeparator.ToString(), Files);
            return InMemory.Count == 0 ? main : $"{main} and {InMemory.Count} imported in memory";
        }
    }

    /// <summary>This source with <paramref name="kubeconfig"/> (YAML) added in memory ahead of everything it already holds.</summary>
    public KubeconfigSource WithInMemory(string kubeconfig)
    {
        ArgumentNullException.ThrowIfNull(kubeconfig);
        return new KubeconfigSource(Files, Content, IsFromEnvironment, BaseDirectory, [kubeconfig, .. InMemory]);
    }

    public override string ToString() => Description;

    /// <summary>
    /// <c>$KUBECONFIG</c> (several files separated by <see cref="Path.PathSeparator"/>, empty entries
    /// ignored) or, when it is unset, <c>~/.kube/config</c>.
    /// </summary>
    public static KubeconfigSource FromEnvironment()
    {
        var variable = Environment.GetEnvironmentVariable("KUBECONFIG");
        var files = string.IsNullOrWhiteSpace(variable)
            ? new[] { Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config") }
            : variable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new KubeconfigSource(files.Select(f => Path.GetFullPath(ExpandHome(f))).Distinct().ToList(), null, fromEnvironment: true);
    }

    /// <summary>Explicit kubeconfig files, merged in order (kubectl's first-wins rule).</summary>
    public static KubeconfigSource FromPaths(params string[] paths)
    {
        if (paths.Length == 0) throw new ArgumentException("At least one kubeconfig path is needed.", nameof(paths));
        return new KubeconfigSource(paths.Select(p => Path.GetFullPath(ExpandHome(p))).Distinct().ToList(), null, fromEnvironment: false);
    }

    /// <summary>
    /// A kubeconfig held in a string; its relative paths (certificate files, exec commands) resolve
    /// against <paramref name="baseDirectory"/> (the cmdlets pass the PowerShell location).
    /// </summary>
    public static KubeconfigSource FromContent(string content, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new KubeconfigSource(Array.Empty<string>(), content, fromEnvironment: false, baseDirectory);
    }

    internal static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "")
            : path;
}
