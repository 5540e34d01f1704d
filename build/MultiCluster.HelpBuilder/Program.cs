using MultiCluster.HelpBuilder;

// usage: MultiCluster.HelpBuilder DOCS_DIR OUTPUT_FILE
// Problems are printed as "file(line): error MCHELP: ..." so MSBuild shows them as build errors.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: MultiCluster.HelpBuilder DOCS_DIR OUTPUT_FILE");
    return 2;
}

var problems = new List<PageProblem>();
var commands = new List<CommandPage>();
foreach (var file in Directory.EnumerateFiles(args[0], "*.md").Order(StringComparer.Ordinal))
{
    var page = CommandPage.Parse(file, File.ReadAllLines(file), problems);
    if (page is not null) commands.Add(page);
}
if (commands.Count == 0)
    problems.Add(new PageProblem(args[0], 1, "no command page (front matter 'external help file:') found"));
foreach (var problem in problems)
    Console.WriteLine($"{problem.File}({problem.Line}): error MCHELP: {problem.Message}");
if (problems.Count > 0) return 1;

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[1]))!);
MamlWriter.Write(commands).Save(args[1]);
Console.WriteLine($"MAML help for {commands.Count} cmdlets: {args[1]}");
return 0;
