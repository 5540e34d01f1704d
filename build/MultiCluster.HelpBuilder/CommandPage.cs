using System.Text.RegularExpressions;

namespace MultiCluster.HelpBuilder;

public sealed record PageProblem(string File, int Line, string Message);

public sealed record ParameterHelp(
    string Name, IReadOnlyList<string> Description, string Type, IReadOnlyList<string> Sets, string Aliases,
    bool Required, string Position, string DefaultValue, string PipelineInput, bool Globbing, int Line);

public sealed record ExampleHelp(string Title, string Code, IReadOnlyList<string> Remarks);

/// <summary>A titled entry of INPUTS or OUTPUTS: a type name and what it means.</summary>
public sealed record TypeHelp(string TypeName, IReadOnlyList<string> Description);

public sealed record LinkHelp(string Text, string Uri);

/// <summary>
/// One docs/&lt;Verb&gt;-&lt;Noun&gt;.md page in PlatyPS's layout (schema 2.0.0), read into what MAML
/// holds. A page without an "external help file" front matter (ARCHITECTURE.md, the module page)
/// is not a command page.
/// </summary>
public sealed class CommandPage
{
    private static readonly string[] RequiredSections = ["SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS"];
    private static readonly string[] ParameterFields =
        ["Type", "Parameter Sets", "Aliases", "Required", "Position", "Default value", "Accept pipeline input", "Accept wildcard characters"];

    public required string Name { get; init; }
    public required IReadOnlyList<string> Synopsis { get; init; }
    public required IReadOnlyList<string> Description { get; init; }
    /// <summary>Parameter set names in the order SYNTAX shows them; one unnamed set when SYNTAX has no headings.</summary>
    public required IReadOnlyList<string> ParameterSets { get; init; }
    public required IReadOnlyList<ParameterHelp> Parameters { get; init; }
    public required IReadOnlyList<ExampleHelp> Examples { get; init; }
    public required IReadOnlyList<TypeHelp> Inputs { get; init; }
    public required IReadOnlyList<TypeHelp> Outputs { get; init; }
    public required IReadOnlyList<string> Notes { get; init; }
    public required IReadOnlyList<LinkHelp> Links { get; init; }

    /// <summary>Reads a page; returns null for a page that is not a command page or has problems (added to <paramref name="problems"/>).</summary>
    public static CommandPage? Parse(string file, string[] lines, List<PageProblem> problems)
    {
        var frontMatter = FrontMatter(lines);
        if (!frontMatter.ContainsKey("external help file")) return null;
        var before = problems.Count;
        void Problem(int line, string message) => problems.Add(new PageProblem(file, line, message));

        var titleLine = Array.FindIndex(lines, l => l.StartsWith("# ", StringComparison.Ordinal));
        var name = titleLine < 0 ? "" : lines[titleLine][2..].Trim();
        if (name != Path.GetFileNameWithoutExtension(file))
            Problem(titleLine + 1, $"the title '# {name}' does not match the file name");

        var sections = Split(lines, "## ", 0, lines.Length);
        foreach (var required in RequiredSections.Where(s => !sections.Any(x => x.Heading == s)))
            Problem(titleLine + 1, $"{name} has no '## {required}' section");
        Block Section(string heading) => sections.FirstOrDefault(s => s.Heading == heading) ?? new Block(heading, titleLine, titleLine + 1, titleLine + 1);

        var synopsis = Paragraphs(lines, Section("SYNOPSIS"));
        if (synopsis.Count == 0) Problem(Section("SYNOPSIS").HeadingLine + 1, $"{name} has an empty SYNOPSIS");

        var syntax = Section("SYNTAX");
        var sets = Split(lines, "### ", syntax.Start, syntax.End).Select(s => s.Heading.Replace("(Default)", "").Trim()).ToList();

        var parameters = new List<ParameterHelp>();
        foreach (var block in Split(lines, "### ", Section("PARAMETERS").Start, Section("PARAMETERS").End))
        {
            if (block.Heading == "CommonParameters") continue;
            if (!block.Heading.StartsWith('-'))
            {
                Problem(block.HeadingLine + 1, $"'### {block.Heading}' in PARAMETERS is not '### -ParameterName'");
                continue;
            }
            var fields = FencedBlocks(lines, block).FirstOrDefault(f => f.Language == "yaml");
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var line in fields?.Lines ?? [])
            {
                var colon = line.IndexOf(':');
                if (colon > 0) values[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
            var missing = ParameterFields.Where(f => !values.ContainsKey(f)).ToList();
            if (fields is null || missing.Count > 0)
            {
                Problem(block.HeadingLine + 1, $"{block.Heading} has no ```yaml block with {string.Join(", ", missing)}");
                continue;
            }
            var parameterSets = values["Parameter Sets"].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (var set in parameterSets.Where(s => s != "(All)" && !sets.Contains(s)))
                Problem(block.HeadingLine + 1, $"{block.Heading} names parameter set '{set}', which SYNTAX does not show");
            parameters.Add(new ParameterHelp(
                block.Heading[1..], Paragraphs(lines, block), values["Type"], parameterSets, values["Aliases"],
                values["Required"].Equals("True", StringComparison.OrdinalIgnoreCase), values["Position"], values["Default value"],
                values["Accept pipeline input"], values["Accept wildcard characters"].Equals("True", StringComparison.OrdinalIgnoreCase),
                block.HeadingLine + 1));
        }

        var examples = new List<ExampleHelp>();
        var exampleBlocks = Split(lines, "### ", Section("EXAMPLES").Start, Section("EXAMPLES").End);
        if (exampleBlocks.Count < 2)
            Problem(Section("EXAMPLES").HeadingLine + 1, $"{name} has {exampleBlocks.Count} example(s); every cmdlet page shows at least two");
        foreach (var block in exampleBlocks)
        {
            var fences = FencedBlocks(lines, block);
            var code = fences.Where(f => f.Language == "powershell").Select(f => string.Join("\n", f.Lines)).ToList();
            if (code.Count == 0)
            {
                Problem(block.HeadingLine + 1, $"'{block.Heading}' has no ```powershell code");
                continue;
            }
            // What a reader sees after the code: its output, other files it names, then the remarks.
            var remarks = fences.Where(f => f.Language != "powershell").Select(f => string.Join("\n", f.Lines))
                .Concat(Paragraphs(lines, block)).ToList();
            examples.Add(new ExampleHelp(block.Heading, string.Join("\n\n", code), remarks));
        }

        var links = new List<LinkHelp>();
        if (frontMatter.TryGetValue("online version", out var online) && online.Length > 0)
            links.Add(new LinkHelp("Online Version:", online));
        var related = sections.FirstOrDefault(s => s.Heading == "RELATED LINKS");
        for (var i = related?.Start ?? 0; i < (related?.End ?? 0); i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0) continue;
            var link = Regex.Match(line, @"^\[(?<text>[^\]]+)\]\((?<uri>[^)]*)\)$");
            links.Add(link.Success
                ? new LinkHelp(link.Groups["text"].Value, link.Groups["uri"].Value.StartsWith("http", StringComparison.Ordinal) ? link.Groups["uri"].Value : "")
                : new LinkHelp(line, ""));
        }

        if (problems.Count > before) return null;
        return new CommandPage
        {
            Name = name,
            Synopsis = synopsis,
            Description = Paragraphs(lines, Section("DESCRIPTION")),
            ParameterSets = sets.Count > 0 ? sets : [""],
            Parameters = parameters,
            Examples = examples,
            Inputs = Types(lines, Section("INPUTS")),
            Outputs = Types(lines, Section("OUTPUTS")),
            Notes = sections.FirstOrDefault(s => s.Heading == "NOTES") is { } notes ? Paragraphs(lines, notes) : [],
            Links = links,
        };
    }

    /// <summary>A heading and the line range under it (0-based, end exclusive).</summary>
    private sealed record Block(string Heading, int HeadingLine, int Start, int End);

    private sealed record Fence(string Language, IReadOnlyList<string> Lines);

    private static Dictionary<string, string> FrontMatter(string[] lines)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (lines.Length == 0 || lines[0].Trim() != "---") return values;
        for (var i = 1; i < lines.Length && lines[i].Trim() != "---"; i++)
        {
            var colon = lines[i].IndexOf(':');
            if (colon > 0) values[lines[i][..colon].Trim()] = lines[i][(colon + 1)..].Trim();
        }
        return values;
    }

    /// <summary>The headings with this prefix between start and end, outside code fences.</summary>
    private static List<Block> Split(string[] lines, string prefix, int start, int end)
    {
        var blocks = new List<Block>();
        var inFence = false;
        for (var i = start; i < end; i++)
        {
            if (lines[i].StartsWith("```", StringComparison.Ordinal)) inFence = !inFence;
            if (inFence || !lines[i].StartsWith(prefix, StringComparison.Ordinal)) continue;
            if (blocks.Count > 0) blocks[^1] = blocks[^1] with { End = i };
            blocks.Add(new Block(lines[i][prefix.Length..].Trim(), i, i + 1, end));
        }
        return blocks;
    }

    private static List<Fence> FencedBlocks(string[] lines, Block block)
    {
        var fences = new List<Fence>();
        for (var i = block.Start; i < block.End; i++)
        {
            if (!lines[i].StartsWith("```", StringComparison.Ordinal)) continue;
            var language = lines[i][3..].Trim();
            var body = new List<string>();
            for (i++; i < block.End && !lines[i].StartsWith("```", StringComparison.Ordinal); i++) body.Add(lines[i]);
            fences.Add(new Fence(language, body));
        }
        return fences;
    }

    /// <summary>
    /// The prose of a block (fenced code and sub-headings left out), one string per paragraph; the
    /// lines of a paragraph join with a space, except list items, which keep their own line.
    /// </summary>
    private static List<string> Paragraphs(string[] lines, Block block)
    {
        var paragraphs = new List<string>();
        var current = new List<string>();
        void Flush()
        {
            if (current.Count > 0) paragraphs.Add(string.Join("", current.Select((l, i) => i == 0 ? l : (IsListItem(l) ? "\n" : " ") + l)));
            current.Clear();
        }
        var inFence = false;
        for (var i = block.Start; i < block.End; i++)
        {
            var line = lines[i];
            if (line.StartsWith("```", StringComparison.Ordinal)) { inFence = !inFence; Flush(); continue; }
            if (inFence) continue;
            if (line.StartsWith('#')) { Flush(); continue; }
            if (line.Trim().Length == 0) Flush();
            else current.Add(line.Trim());
        }
        Flush();
        return paragraphs;
    }

    private static bool IsListItem(string line) => Regex.IsMatch(line, @"^([-*]|\d+\.) ");

    private static List<TypeHelp> Types(string[] lines, Block section) =>
        Split(lines, "### ", section.Start, section.End).Select(b => new TypeHelp(b.Heading, Paragraphs(lines, b))).ToList();
}
