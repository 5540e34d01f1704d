using Xunit.Abstractions;
using Xunit.Sdk;

namespace MultiCluster.Testing.Tests.Conformance;

/// <summary>
/// A conformance test: run once per target (<see cref="ConformanceTarget.Emulator"/>, then
/// <see cref="ConformanceTarget.Cluster"/>), the target's name passed as the only argument. The
/// real-cluster run is skipped with the reason when no kubeconfig names one.
/// </summary>
[XunitTestCaseDiscoverer("MultiCluster.Testing.Tests.Conformance.ConformanceTheoryDiscoverer", "MultiCluster.Testing.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class ConformanceTheoryAttribute : FactAttribute
{
    /// <summary>Why the behaviour cannot be forced on a real API server; the cluster run is then skipped with it.</summary>
    public string? EmulatorOnlyBecause { get; set; }

    /// <summary>The test runs the real kubectl: both runs are skipped when it is not installed.</summary>
    public bool NeedsKubectl { get; set; }
}

/// <summary>Turns one <see cref="ConformanceTheoryAttribute"/> method into one test case per target.</summary>
public sealed class ConformanceTheoryDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var display = discoveryOptions.MethodDisplayOrDefault();
        var displayOptions = discoveryOptions.MethodDisplayOptionsOrDefault();
        var kubectlMissing = factAttribute.GetNamedArgument<bool>(nameof(ConformanceTheoryAttribute.NeedsKubectl)) ? TestSupport.KubectlMissingReason : null;
        var emulatorOnly = factAttribute.GetNamedArgument<string?>(nameof(ConformanceTheoryAttribute.EmulatorOnlyBecause));

        IXunitTestCase For(string target, string? skipReason) => skipReason is null
            ? new XunitTestCase(diagnosticMessageSink, display, displayOptions, testMethod, [target])
            : new XunitSkippedDataRowTestCase(diagnosticMessageSink, display, displayOptions, testMethod, skipReason, [target]);

        yield return For(ConformanceTarget.Emulator, kubectlMissing);
        yield return For(ConformanceTarget.Cluster, kubectlMissing ?? ConformanceTarget.ClusterMissingReason ?? emulatorOnly);
    }
}
