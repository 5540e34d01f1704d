using System.Text;
using System.Text.RegularExpressions;

namespace MultiCluster.Engine.Tests.Architecture;

/// <summary>A file of the repository as the rules read it: its path from the repository root, with '/' separators, and its text.</summary>
public sealed record SourceFile(string Path, string Text);

/// <summary>
/// The layering rules of docs/ARCHITECTURE.md, checked on source text: a capability folder of the
/// engine never uses another capability folder, a shared folder never uses a capability, the
/// engine uses no PowerShell, Model references nothing, and nothing in src uses the test bed.
/// Each violation is one line naming the file and what it uses.
/// </summary>
public static partial class LayerRules
{
    /// <summary>The capability folders, those to come included; every other engine folder is shared.</summary>
    public static readonly IReadOnlyList<string> Capabilities =
        ["Lifecycle", "Federation", "Access", "Mesh", "Recovery", "Traffic", "Delivery", "Observability", "Configuration"];

    private const string EnginePrefix = "src/MultiCluster.Engine/";

    public static bool IsCapability(string folder) => Capabilities.Contains(folder, StringComparer.Ordinal);

    /// <summary>The engine folder a path is in (<c>Lifecycle</c> for <c>src/MultiCluster.Engine/Lifecycle/Upgrade/X.cs</c>); null outside the engine's folders.</summary>
    public static string? EngineFolder(string path)
    {
        if (!path.StartsWith(EnginePrefix, StringComparison.Ordinal)) return null;
        var rest = path[EnginePrefix.Length..];
        var slash = rest.IndexOf('/');
        return slash < 0 ? null : rest[..slash];
    }

    public static IReadOnlyList<string> Violations(IEnumerable<SourceFile> files)
    {
        var violations = new List<string>();
        foreach (var file in files)
        {
            var isProject = file.Path.EndsWith(".csproj", StringComparison.Ordinal);
            var code = isProject ? file.Text : WithoutComments(file.Text);
            if (file.Path.StartsWith("src/", StringComparison.Ordinal) && TestBed().IsMatch(code))
                violations.Add($"{file.Path} uses the test bed (MultiCluster.Testing), which ships with the tests only.");
            if (file.Path.StartsWith("src/MultiCluster.Model/", StringComparison.Ordinal))
                violations.AddRange(ModelViolations(file, code, isProject));
            if (file.Path.StartsWith(EnginePrefix, StringComparison.Ordinal))
            {
                if (PowerShell().IsMatch(code)) violations.Add($"{file.Path} uses PowerShell; the engine knows none.");
                if (!isProject) violations.AddRange(FolderViolations(file, code));
            }
        }
        return violations;
    }

    private static IEnumerable<string> ModelViolations(SourceFile file, string code, bool isProject)
    {
        if (isProject)
        {
            foreach (Match reference in ProjectReference().Matches(code))
                yield return $"{file.Path} has a {reference.Groups[1].Value}; Model references nothing, so it loads beside any other module.";
            yield break;
        }
        foreach (Match use in EngineNamespace().Matches(code))
            yield return $"{file.Path} uses MultiCluster.Engine.{use.Groups[1].Value}; Model references nothing.";
        if (PowerShell().IsMatch(code)) yield return $"{file.Path} uses PowerShell; Model references nothing.";
    }

    private static IEnumerable<string> FolderViolations(SourceFile file, string code)
    {
        var folder = EngineFolder(file.Path);
        if (folder is null) yield break;
        var used = EngineNamespace().Matches(code).Select(m => m.Groups[1].Value)
            // Inside namespace MultiCluster.Engine.X, "Lifecycle.ClusterWaiter" names another folder's type without a using.
            .Concat(RelativeCapability().Matches(code).Select(m => m.Groups[1].Value).Where(name => !DeclaresMember(code, name)))
            .Where(target => target != folder && IsCapability(target))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        foreach (var target in used)
        {
            yield return IsCapability(folder)
                ? $"{file.Path}: capability {folder} uses capability {target}; move what both need to a shared folder."
                : $"{file.Path}: shared folder {folder} uses capability {target}; shared folders never use capabilities.";
        }
    }

    // "Configuration.Contexts" is a member when the file declares something named Configuration
    // (a property, field, local or parameter: a type name, then the name, then what follows a declaration).
    private static bool DeclaresMember(string code, string name) =>
        Regex.IsMatch(code, $@"[\w>?\]]\s+{name}\s*(\{{|=>|=|;|,|\))");

    /// <summary>The text without // and /* */ comments (strings kept, so a "//" in a URL is not taken for one).</summary>
    public static string WithoutComments(string text)
    {
        var result = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var next = i + 1 < text.Length ? text[i + 1] : '\0';
            if (c == '/' && next == '/')
            {
                while (i < text.Length && text[i] != '\n') i++;
            }
            else if (c == '/' && next == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? text.Length : end + 2;
            }
            else if (c == '"' || (c == '\'' && i + 2 < text.Length))
            {
                var start = i;
                i = SkipLiteral(text, i);
                result.Append(text, start, i - start);
            }
            else
            {
                result.Append(c);
                i++;
            }
        }
        return result.ToString();
    }

    private static int SkipLiteral(string text, int start)
    {
        var quote = text[start];
        if (quote == '"' && text.AsSpan(start).StartsWith("\"\"\""))
        {
            var end = text.IndexOf("\"\"\"", start + 3, StringComparison.Ordinal);
            return end < 0 ? text.Length : end + 3;
        }
        var verbatim = start > 0 && text[start - 1] == '@' || start > 1 && text[start - 2] == '@';
        var i = start + 1;
        while (i < text.Length)
        {
            if (text[i] == '\\' && !verbatim) i += 2;
            else if (text[i] == quote && verbatim && i + 1 < text.Length && text[i + 1] == quote) i += 2;
            else if (text[i] == quote) return i + 1;
            else if (text[i] == '\n' && !verbatim) return i; // not a literal after all (a lone apostrophe); stop at the line's end
            else i++;
        }
        return i;
    }

    [GeneratedRegex(@"\bMultiCluster\.Testing\b")]
    private static partial Regex TestBed();

    [GeneratedRegex(@"\bSystem\.Management\.Automation\b|PowerShellStandard\.Library|Microsoft\.PowerShell\.SDK")]
    private static partial Regex PowerShell();

    [GeneratedRegex(@"\bMultiCluster\.Engine\.(\w+)")]
    private static partial Regex EngineNamespace();

    [GeneratedRegex(@"(?<![\w.])(Lifecycle|Federation|Access|Mesh|Recovery|Traffic|Delivery|Observability|Configuration)\.(?=[A-Z])")]
    private static partial Regex RelativeCapability();

    [GeneratedRegex(@"<(PackageReference|ProjectReference|Reference|FrameworkReference)\b")]
    private static partial Regex ProjectReference();
}
