using System.Reflection;
using System.Runtime.Loader;

namespace MultiCluster.Loading;

/// <summary>
/// The "MultiCluster" load context: loads the engine and its packages from Dependencies/.
/// Anything not there (the framework, System.Management.Automation, MultiCluster.Model) falls
/// back to the default context, so the types PowerShell sees stay identical on both sides.
/// </summary>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    private static readonly string DependencyDirectory = Path.Combine(
        Path.GetDirectoryName(typeof(DependencyLoadContext).Assembly.Location)!, "Dependencies");

    // The shared framework's folder: its assemblies are always the runtime's, never ours.
    private static readonly string FrameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;

    public static DependencyLoadContext Instance { get; } = new();

    private DependencyLoadContext() : base("MultiCluster", isCollectible: false) { }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var name = assemblyName.Name;
        if (name is null || name is "System.Management.Automation" or "MultiCluster.Model" or "MultiCluster")
            return null; // PowerShell's engine and the types PowerShell sees live in the default context
        if (File.Exists(Path.Combine(FrameworkDirectory, name + ".dll")))
            return null; // the runtime's own copy: share it
        var path = Path.Combine(DependencyDirectory, name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = Path.Combine(DependencyDirectory, unmanagedDllName);
        return File.Exists(path) ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }
}
