using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace MultiCluster.PowerShell.Tests.Infrastructure;

/// <summary>
/// The tests read the module's output types, but reference no src project: MultiCluster.Model is
/// answered from the built module folder, the same file Import-Module loads, so the test code and
/// the session see one and the same type.
/// </summary>
internal static class ModelAssembly
{
    [ModuleInitializer]
    internal static void ResolveFromModuleFolder() =>
        AssemblyLoadContext.Default.Resolving += (context, name) =>
            name.Name == "MultiCluster.Model"
                ? context.LoadFromAssemblyPath(Path.Combine(Repository.ModuleDirectory, "MultiCluster.Model.dll"))
                : null;
}
