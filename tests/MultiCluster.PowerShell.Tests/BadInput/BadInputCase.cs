namespace MultiCluster.PowerShell.Tests.BadInput;

/// <summary>
/// One bad input: the files a user has on disk, the line they type, and what the module must answer.
/// <paramref name="Script"/> runs in a folder holding <paramref name="Files"/>, with <c>$kc</c> (the fleet's
/// kubeconfig), <c>$ctx</c> (its first context) and the test fleet imported. In file contents,
/// <c>{ctx0}</c>..<c>{ctx2}</c>, <c>{kubeconfig}</c>, <c>{server0}</c> and <c>{ca}</c> stand for the emulator's contexts, kubeconfig, first server and CA data.
/// </summary>
/// <param name="Name">Says what is wrong, so a failing row reads as a sentence.</param>
/// <param name="ErrorId">The stable id the FullyQualifiedErrorId starts with (before the comma and the cmdlet's class).</param>
/// <param name="File">The file the message must name, with <paramref name="Line"/> and <paramref name="Column"/> where known.</param>
/// <param name="NonTerminating">
/// The answer is a non-terminating error with the id, by design: what a kubeconfig holds for one context (its
/// user, CA or credential plugin; kubectl fails that context alone) and what discovery answers for one cluster
/// (a kind it does not serve; another cluster may have the CRD) fail that cluster and the rest go on; and
/// Get-FleetCluster reports a name not in the fleet as Get-Item does. The request logs are checked all the same.
/// </param>
public sealed record BadInputCase(
    string Name,
    string Script,
    string ErrorId,
    string? File = null,
    int? Line = null,
    int? Column = null,
    IReadOnlyDictionary<string, string>? Files = null,
    bool NeedsSharedCrds = false,
    bool NonTerminating = false)
{
    public override string ToString() => Name;
}
