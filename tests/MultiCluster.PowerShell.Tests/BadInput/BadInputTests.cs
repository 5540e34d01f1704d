using System.Management.Automation;
using System.Text.RegularExpressions;
using FluentAssertions;
using MultiCluster.PowerShell.Tests.Infrastructure;
using MultiCluster.Testing;

namespace MultiCluster.PowerShell.Tests.BadInput;

/// <summary>
/// The bad-input suite (issue 16 item 6): every row of <see cref="BadInputCases"/> must stop with a
/// terminating error carrying the row's stable id, name the file, line and column where the input is
/// a file, and send no request that changes anything to any cluster (the emulator's request logs).
/// </summary>
public sealed class BadInputTests(BadInputFixture fixture) : IClassFixture<BadInputFixture>
{
    private static readonly string[] MutatingMethods = ["POST", "PUT", "PATCH", "DELETE"];

    public static TheoryData<string> Rows()
    {
        var data = new TheoryData<string>();
        foreach (var row in BadInputCases.All) data.Add(row.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Bad_input_stops_with_a_stable_id_and_changes_nothing(string name)
    {
        var row = BadInputCases.All.Single(r => r.Name == name);
        if (row.NeedsSharedCrds && SharedFiles.Crds is null)
            return; // the CRDs this row's command reads are absent; nothing to check against

        var folder = Path.Combine(fixture.Emulator.Directory, "row-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        foreach (var (relative, content) in row.Files ?? new Dictionary<string, string>())
        {
            var path = Path.Combine(folder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, fixture.Expand(content));
        }
        var session = fixture.Session;
        session.Run("$Error.Clear(); Import-Fleet -Content $args[0] -Kubeconfig $args[1]", fixture.FleetYaml, fixture.Emulator.Kubeconfig).ThrowIfFailed();
        var started = DateTimeOffset.UtcNow;

        var result = session.Run("Set-Location -LiteralPath $args[0]; $kc = $args[1]; $ctx = $args[2]\n" + row.Script,
            folder, fixture.Emulator.Kubeconfig, fixture.Emulator.Contexts[0]);

        var record = row.NonTerminating ? result.Errors.FirstOrDefault() ?? result.TerminatingRecord : result.TerminatingRecord;
        var seen = Describe(result);
        record.Should().NotBeNull(row.NonTerminating ? "the bad cluster is reported as an error" : "bad input stops the command; got: " + seen);
        record!.FullyQualifiedErrorId.Should().StartWith(row.ErrorId + ",", "the id is stable; got: " + seen);
        record.CategoryInfo.Category.Should().NotBe(ErrorCategory.NotSpecified, "got: " + seen);
        var message = record.Exception?.Message ?? "";
        message.Should().NotContain("Exception", "a user sees what is wrong, not a .NET type");
        if (row.File is { } file)
        {
            message.Should().Contain(file, "the message names the file");
            if (row.Line is { } line)
                message.Should().MatchRegex($@"(line {line}\b|:{line}:)", "the message names the line");
            if (row.Column is { } column)
                message.Should().MatchRegex($@"(column {column}\b|:{row.Line}:{column}\b)", "the message names the column");
        }

        foreach (var context in fixture.Emulator.Contexts)
        {
            var changes = (await fixture.Emulator.RequestsAsync(context))
                .Where(r => r.Started >= started && MutatingMethods.Contains(r.Method) && !IsReview(r.Path))
                .Select(r => $"{r.Method} {r.Path} -> {r.Status}").ToList();
            changes.Should().BeEmpty($"bad input changes nothing on {context}");
        }
    }

    /// <summary>Access and token reviews are POSTs that create nothing: they ask a question.</summary>
    private static bool IsReview(string path) => Regex.IsMatch(path, "/(self|local)?subjectaccessreviews|/selfsubjectrulesreviews|/tokenreviews");

    private static string Describe(PowerShellResult result) =>
        "terminating=" + (result.TerminatingRecord is { } t ? $"[{t.FullyQualifiedErrorId}] {t.Exception?.Message}" : "none") +
        "; errors=" + string.Join(" | ", result.Errors.Select(e => $"[{e.FullyQualifiedErrorId}] {e.Exception?.Message}")) +
        "; output=" + result.Output.Count;

    [Fact]
    public void The_table_holds_at_least_200_distinct_rows_and_the_README_states_the_count()
    {
        var rows = BadInputCases.All;
        rows.Should().HaveCountGreaterThanOrEqualTo(200);
        rows.Select(r => r.Name).Should().OnlyHaveUniqueItems();
        rows.Select(r => r.Script + "\n" + string.Join("\n", (r.Files ?? new Dictionary<string, string>()).Select(f => f.Key + "=" + f.Value)))
            .Should().OnlyHaveUniqueItems("each row is a different input");
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        readme.Should().Contain($"The bad-input suite holds {rows.Count} cases");
        Console.WriteLine($"The bad-input suite holds {rows.Count} cases");
    }
}
