namespace MultiCluster.PowerShell.Tests.Infrastructure;

/// <summary>
/// Console output as a docs page shows it and as PowerShell renders it (<c>Out-String</c>): tables
/// (header, dashes, rows), list records (<c>Name : Value</c>) and plain text, compared on what
/// a page promises: the same blocks, the same columns, the same number of rows, and the same values
/// in the key columns. A value cut short with … matches any value it begins.
/// </summary>
public static class ShownOutput
{
    /// <summary>Brackets the command's rendering in a failure message.</summary>
    public const string Marker = "~~~~~~~~";

    /// <summary>
    /// Columns that say what a row is about and what happened to it. The others (messages, details,
    /// ages, times, durations, round trips, paths, item counts, labels) change from run to run or with
    /// wording, and are not compared.
    /// </summary>
    public static readonly HashSet<string> KeyColumns = new(StringComparer.Ordinal)
    {
        // What the row is about.
        "Cluster", "Kind", "Namespace", "Name", "Workload", "Rbac", "RoleKind", "Peer", "Standby", "From", "To", "Target",
        "ManagementCluster", "Hostname", "Field", "Issuer", "ClientId", "Connector", "RolloutId", "Order", "Clusters", "Region", "Role",
        "Type", "Check", "Rule", "Method", "Version", "KubernetesVersion", "Provider", "Text",
        // What happened, or the state found.
        "Action", "Status", "Phase", "State", "Progress", "Severity", "DriftType", "Present", "Ready", "SyncStatus", "HealthStatus",
        "Global", "Affinity", "Problem", "Approval", "Scope", "ConflictReason", "Reason", "VersionReason", "Expected", "Actual",
    };

    public abstract record Block(int Line);

    public sealed record Row(int Line, string Text, IReadOnlyList<string> Cells);

    public sealed record Table(int Line, IReadOnlyList<string> Labels, IReadOnlyList<Row> Rows) : Block(Line);

    public sealed record Field(int Line, string Label, string Value);

    public sealed record ListRecord(int Line, IReadOnlyList<Field> Fields) : Block(Line);

    public sealed record TextLines(int Line, IReadOnlyList<string> Lines) : Block(Line);

    /// <param name="Line">Counted from 0 at the page block's first line.</param>
    public sealed record Problem(int Line, string Text);

    /// <summary>The blocks of a rendering, each starting after blank lines; lines are counted from 0.</summary>
    public static List<Block> Parse(string text)
    {
        var lines = text.Replace("\r", "").Split('\n').Select(l => l.TrimEnd()).ToArray();
        var blocks = new List<Block>();
        var i = 0;
        while (i < lines.Length)
        {
            if (lines[i].Length == 0) { i++; continue; }
            var end = i;
            while (end < lines.Length && lines[end].Length > 0) end++;
            if (end - i >= 2 && IsDashes(lines[i + 1]))
            {
                // PowerShell writes text that follows a table (a string after the objects) on the next line: the
                // table ends at the first line whose characters run over a column's left edge.
                var rowsEnd = i + 2;
                while (rowsEnd < end && Fits(lines[rowsEnd], lines[i + 1])) rowsEnd++;
                blocks.Add(ParseTable(lines, i, rowsEnd));
                if (rowsEnd < end) blocks.Add(new TextLines(rowsEnd, lines[rowsEnd..end]));
            }
            else if (ListLine(lines[i]) is not null)
                blocks.Add(ParseList(lines, i, end));
            else
                blocks.Add(new TextLines(i, lines[i..end]));
            i = end;
        }
        return blocks;
    }

    /// <summary>
    /// Whether each cell of the line sits in its column: for every column but the first, the character
    /// before its dashes is blank (a left-aligned value), or a value ends where its dashes end (a
    /// right-aligned one, as PowerShell aligns numbers and the values of objects without a view).
    /// </summary>
    private static bool Fits(string line, string dashes)
    {
        foreach (System.Text.RegularExpressions.Match run in System.Text.RegularExpressions.Regex.Matches(dashes, "-+"))
        {
            var (start, end) = (run.Index, run.Index + run.Length - 1);
            if (start == 0 || start - 1 >= line.Length || line[start - 1] == ' ') continue;
            if (end < line.Length && line[end] != ' ' && (end + 1 >= line.Length || line[end + 1] == ' ')) continue;
            return false;
        }
        return true;
    }

    private static bool IsDashes(string line) => line.Contains('-') && line.All(c => c is '-' or ' ');

    private static (string Label, string Value)? ListLine(string line)
    {
        var match = System.Text.RegularExpressions.Regex.Match(line, @"^(\S[^:]*?)\s+:(?: (.*))?$");
        return match.Success ? (match.Groups[1].Value, match.Groups[2].Value.Trim()) : null;
    }

    private static ListRecord ParseList(string[] lines, int first, int end)
    {
        var fields = new List<Field>();
        for (var i = first; i < end; i++)
        {
            if (ListLine(lines[i]) is { } field)
                fields.Add(new Field(i, field.Label, field.Value));
            else if (fields.Count > 0)
                fields[^1] = fields[^1] with { Value = fields[^1].Value + " " + lines[i].Trim() };  // a long value wrapped
        }
        return new ListRecord(first, fields);
    }

    /// <summary>
    /// Columns are the runs of characters not blank on every line, each holding one run of dashes; a
    /// run without dashes (words of a value with spaces) belongs to the column before it.
    /// </summary>
    private static Table ParseTable(string[] lines, int first, int end)
    {
        var width = Enumerable.Range(first, end - first).Max(i => lines[i].Length);
        string Padded(int i) => lines[i].PadRight(width);
        var blank = Enumerable.Range(0, width).Select(p => Enumerable.Range(first, end - first).All(i => Padded(i)[p] == ' ')).ToArray();
        var dashes = Padded(first + 1);
        var starts = new List<int>();
        for (var p = 0; p < width;)
        {
            if (blank[p]) { p++; continue; }
            var runEnd = p;
            while (runEnd < width && !blank[runEnd]) runEnd++;
            var dashRuns = Enumerable.Range(p, runEnd - p).Where(q => dashes[q] == '-' && (q == p || dashes[q - 1] != '-')).ToList();
            if (dashRuns.Count > 0 || starts.Count == 0)
                starts.Add(p);
            p = runEnd;
        }
        string Cell(int i, int column) =>
            Padded(i)[starts[column]..(column + 1 < starts.Count ? starts[column + 1] : width)].Trim();
        var labels = Enumerable.Range(0, starts.Count).Select(c => Cell(first, c)).ToList();
        var rows = Enumerable.Range(first + 2, end - first - 2)
            .Select(i => new Row(i, lines[i], Enumerable.Range(0, starts.Count).Select(c => Cell(i, c)).ToList())).ToList();
        return new Table(first, labels, rows);
    }

    /// <summary>Where the page's blocks differ from the command's, or null when they agree.</summary>
    public static Problem? Compare(IReadOnlyList<Block> page, IReadOnlyList<Block> actual, IReadOnlyCollection<string> notKeys, bool ordered)
    {
        if (page.Count != actual.Count)
            return new Problem(0, $"the page shows {Describe(page)}; the command gave {Describe(actual)}");
        for (var b = 0; b < page.Count; b++)
        {
            var problem = (page[b], actual[b]) switch
            {
                (Table p, Table a) => CompareTables(p, a, notKeys, ordered),
                (ListRecord p, ListRecord a) => CompareLists(p, a, notKeys),
                (TextLines p, TextLines a) => CompareText(p, a),
                var (p, a) => new Problem(p.Line, $"the page shows {Describe([p])} where the command gave {Describe([a])}"),
            };
            if (problem is not null) return problem;
        }
        return null;
    }

    private static Problem? CompareTables(Table page, Table actual, IReadOnlyCollection<string> notKeys, bool ordered)
    {
        if (!page.Labels.SequenceEqual(actual.Labels))
            return new Problem(page.Line, $"the columns are {string.Join(", ", page.Labels)}; the command shows {string.Join(", ", actual.Labels)}");
        if (page.Rows.Count != actual.Rows.Count)
            return new Problem(page.Line, $"{page.Rows.Count} row(s); the command gave {actual.Rows.Count}");
        var keys = Enumerable.Range(0, page.Labels.Count).Where(c => KeyColumns.Contains(page.Labels[c]) && !notKeys.Contains(page.Labels[c])).ToList();
        var keyText = string.Join(", ", keys.Select(c => page.Labels[c]));
        bool Same(Row p, Row a, bool exact) => keys.All(c => exact ? p.Cells[c] == a.Cells[c] : Matches(p.Cells[c], a.Cells[c]));
        if (ordered)
        {
            for (var r = 0; r < page.Rows.Count; r++)
            {
                if (!Same(page.Rows[r], actual.Rows[r], exact: false))
                    return new Problem(page.Rows[r].Line, $"row '{page.Rows[r].Text.Trim()}': in the order the cmdlet promises, the command gave '{actual.Rows[r].Text.Trim()}' here ({keyText} compared)");
            }
            return null;
        }
        // Rows that match exactly pair first, so a cut value (ClusterRole…) is left for the row it stands for.
        var left = actual.Rows.ToList();
        var unmatched = new List<Row>();
        foreach (var row in page.Rows)
        {
            var match = left.FindIndex(a => Same(row, a, exact: true));
            if (match < 0) unmatched.Add(row);
            else left.RemoveAt(match);
        }
        foreach (var row in unmatched)
        {
            var match = left.FindIndex(a => Same(row, a, exact: false));
            if (match < 0)
                return new Problem(row.Line, $"row '{row.Text.Trim()}': the command gave no row with these {keyText}");
            left.RemoveAt(match);
        }
        return null;
    }

    private static Problem? CompareLists(ListRecord page, ListRecord actual, IReadOnlyCollection<string> notKeys)
    {
        if (!page.Fields.Select(f => f.Label).SequenceEqual(actual.Fields.Select(f => f.Label)))
            return new Problem(page.Line, $"the fields are {string.Join(", ", page.Fields.Select(f => f.Label))}; the command shows {string.Join(", ", actual.Fields.Select(f => f.Label))}");
        for (var f = 0; f < page.Fields.Count; f++)
        {
            var (p, a) = (page.Fields[f], actual.Fields[f]);
            if (KeyColumns.Contains(p.Label) && !notKeys.Contains(p.Label) && !Matches(p.Value, a.Value))
                return new Problem(p.Line, $"{p.Label} is '{p.Value}'; the command gave '{a.Value}'");
        }
        return null;
    }

    private static Problem? CompareText(TextLines page, TextLines actual)
    {
        if (page.Lines.Count != actual.Lines.Count)
            return new Problem(page.Line, $"{page.Lines.Count} line(s) of text; the command gave {actual.Lines.Count}");
        for (var l = 0; l < page.Lines.Count; l++)
        {
            if (!Matches(page.Lines[l].Trim(), actual.Lines[l].Trim()))
                return new Problem(page.Line + l, $"'{page.Lines[l].Trim()}'; the command gave '{actual.Lines[l].Trim()}'");
        }
        return null;
    }

    /// <summary>Equal, or one is cut short (… or ...) and the other begins with what it shows.</summary>
    public static bool Matches(string page, string actual)
    {
        if (page == actual) return true;
        var (p, pCut) = Stem(page);
        var (a, aCut) = Stem(actual);
        return pCut && aCut ? p.StartsWith(a, StringComparison.Ordinal) || a.StartsWith(p, StringComparison.Ordinal)
            : pCut ? a.StartsWith(p, StringComparison.Ordinal)
            : aCut && p.StartsWith(a, StringComparison.Ordinal);
    }

    private static (string Stem, bool Cut) Stem(string value) =>
        value.EndsWith('…') ? (value[..^1], true) : value.EndsWith("...", StringComparison.Ordinal) ? (value[..^3].TrimEnd(), true) : (value, false);

    private static string Describe(IReadOnlyList<Block> blocks) => blocks.Count == 0 ? "nothing" : string.Join(", then ", blocks.Select(b => b switch
    {
        Table t => $"a table of {t.Rows.Count} row(s) ({string.Join(", ", t.Labels)})",
        ListRecord l => $"a list ({string.Join(", ", l.Fields.Select(f => f.Label))})",
        TextLines t => $"{t.Lines.Count} line(s) of text",
        _ => b.ToString(),
    }));
}
