using MultiCluster.Testing;

namespace MultiCluster.PowerShell.Tests.Infrastructure;

/// <summary>A theory that is skipped, with the reason, when ../shared/crds is absent.</summary>
public sealed class RequiresSharedCrdsTheoryAttribute : TheoryAttribute
{
    public RequiresSharedCrdsTheoryAttribute()
    {
        if (SharedFiles.CrdsMissingReason is { } reason) Skip = reason;
    }
}
