using MultiCluster.Testing;

namespace MultiCluster.Engine.Tests.Lifecycle;

/// <summary>A theory that is skipped, with the reason, when ../shared/crds is absent (the fact version lives in MultiCluster.Testing.Xunit).</summary>
public sealed class RequiresSharedCrdsTheoryAttribute : TheoryAttribute
{
    public RequiresSharedCrdsTheoryAttribute()
    {
        if (SharedFiles.CrdsMissingReason is { } reason) Skip = reason;
    }
}
