namespace MultiCluster.Testing.Tests.Schema;

/// <summary>A fact that needs ../shared/crds; skipped with the reason when that folder is absent.</summary>
internal sealed class RequiresSharedCrdsFactAttribute : FactAttribute
{
    public RequiresSharedCrdsFactAttribute() => Skip = SharedFiles.CrdsMissingReason;
}

/// <summary>A theory that needs ../shared/crds; skipped with the reason when that folder is absent.</summary>
internal sealed class RequiresSharedCrdsTheoryAttribute : TheoryAttribute
{
    public RequiresSharedCrdsTheoryAttribute() => Skip = SharedFiles.CrdsMissingReason;
}
