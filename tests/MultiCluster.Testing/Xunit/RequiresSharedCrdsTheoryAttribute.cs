namespace MultiCluster.Testing.Xunit;

/// <summary>A theory that is skipped, with the reason, when ../shared/crds is absent.</summary>
public sealed class RequiresSharedCrdsTheoryAttribute : global::Xunit.TheoryAttribute
{
    public RequiresSharedCrdsTheoryAttribute()
    {
        if (SharedFiles.CrdsMissingReason is { } reason) Skip = reason;
    }
}
