using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace MultiCluster.Benchmarks;

/// <summary>Answers MultiCluster.Model from out/MultiCluster, the same file Import-Module loads.</summary>
internal static class ModelAssembly
{
    [ModuleInitializer]
    internal static void ResolveFromModuleFolder() =>
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            if (name.Name != "MultiCluster.Model") return null;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var path = Path.Combine(dir.FullName, "out", "MultiCluster", "MultiCluster.Model.dll");
                if (File.Exists(path)) return context.LoadFromAssemblyPath(path);
            }
            return null;
        };
}
