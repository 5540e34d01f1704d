namespace MultiCluster.Testing.Xunit;

/// <summary>A fact that is skipped, with the reason, when ../shared/crds is absent.</summary>
public sealed class RequiresSharedCrdsFactAttribute : global::Xunit.FactAttribute
{
    public RequiresSharedCrdsFactAttribute()
    {
        if (SharedFiles.CrdsMissingReason is { } reason) Skip = reason;
    }
}
