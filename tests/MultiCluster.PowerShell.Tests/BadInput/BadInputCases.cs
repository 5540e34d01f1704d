namespace MultiCluster.PowerShell.Tests.BadInput;

/// <summary>The bad-input table, one family per file (fleet files, manifests, kubeconfigs, documents, parameters).</summary>
public static partial class BadInputCases
{
    public static IReadOnlyList<BadInputCase> All { get; } =
        [.. FleetFiles(), .. Manifests(), .. Kubeconfigs(), .. Documents(), .. Parameters()];

    private static Dictionary<string, string> OneFile(string name, string content) => new() { [name] = content };

    /// <summary>A fleet file <c>fleet.yaml</c> imported with the test kubeconfig.</summary>
    private static BadInputCase Fleet(string name, string yaml, int line, int column, string errorId = "FleetFileInvalid") =>
        new(name, "Import-Fleet ./fleet.yaml -Kubeconfig $kc", errorId, "fleet.yaml", line, column, OneFile("fleet.yaml", yaml));

    /// <summary>A manifest <c>app.yaml</c> given to <paramref name="command"/> (default Invoke-FleetApply).</summary>
    /// <remarks>A <paramref name="line"/> of 0: the message names the file but the error is about the whole document.</remarks>
    private static BadInputCase Manifest(string name, string yaml, string errorId, int? line = null, int? column = null,
        string command = "Invoke-FleetApply -Path ./app.yaml -Confirm:$false", bool crds = false, bool nonTerminating = false) =>
        new(name, command, errorId, line is null ? null : "app.yaml", line is 0 ? null : line, column, OneFile("app.yaml", yaml),
            NeedsSharedCrds: crds, NonTerminating: nonTerminating);

    /// <summary>A line typed at the prompt, no files.</summary>
    private static BadInputCase Line(string name, string script, string errorId, bool crds = false, bool nonTerminating = false) =>
        new(name, script, errorId, NeedsSharedCrds: crds, NonTerminating: nonTerminating);

    /// <summary>A line typed at the prompt with one file beside it.</summary>
    private static BadInputCase WithFile(string name, string file, string content, string script, string errorId,
        int? line = null, int? column = null, bool crds = false) =>
        new(name, script, errorId, line is null ? null : file, line, column, OneFile(file, content), NeedsSharedCrds: crds);
}
