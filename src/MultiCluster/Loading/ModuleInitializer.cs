using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace MultiCluster.Loading;

/// <summary>
/// Runs on Import-Module. Answers the default load context's request for MultiCluster.Engine by
/// loading it into the module's own context, so the engine and every package it uses stay apart
/// from whatever YamlDotNet, AWSSDK.Core or KubernetesClient the session already loaded.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private const string EngineAssemblyName = "MultiCluster.Engine";

    public void OnImport()
    {
        AssemblyLoadContext.Default.Resolving += ResolveEngine;
        // The output types load with the module, so [MultiCluster.FleetCluster] resolves right after
        // Import-Module (MultiCluster.Model is tiny and has no dependencies; the engine stays lazy).
        _ = typeof(FleetCluster).Assembly;
    }

    public void OnRemove(PSModuleInfo psModuleInfo) => AssemblyLoadContext.Default.Resolving -= ResolveEngine;

    private static Assembly? ResolveEngine(AssemblyLoadContext defaultContext, AssemblyName name) =>
        name.Name == EngineAssemblyName ? DependencyLoadContext.Instance.LoadFromAssemblyName(name) : null;
}
