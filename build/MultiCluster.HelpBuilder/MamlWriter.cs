using System.Xml.Linq;

namespace MultiCluster.HelpBuilder;

/// <summary>
/// Writes command pages as MAML, the XML that Get-Help reads for compiled cmdlets, in the shape
/// PlatyPS's New-ExternalHelp gives it (so PlatyPS can take over where it is installed).
/// </summary>
public static class MamlWriter
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    private static readonly XNamespace MsHelp = "http://msdn.microsoft.com/mshelp";

    public static XDocument Write(IEnumerable<CommandPage> pages) =>
        new(new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems", new XAttribute("schema", "maml"),
                pages.Select(CommandElement)));

    private static XElement CommandElement(CommandPage page)
    {
        var dash = page.Name.IndexOf('-');
        return new XElement(Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XAttribute(XNamespace.Xmlns + "MSHelp", MsHelp),
            new XElement(Command + "details",
                new XElement(Command + "name", page.Name),
                new XElement(Command + "verb", page.Name[..dash]),
                new XElement(Command + "noun", page.Name[(dash + 1)..]),
                Description(page.Synopsis)),
            Description(page.Description),
            new XElement(Command + "syntax", page.ParameterSets.Select(set => SyntaxItem(page, set))),
            new XElement(Command + "parameters", page.Parameters.Select(p => Parameter(p, p.Sets))),
            new XElement(Command + "inputTypes", page.Inputs.Select(t => TypeEntry("inputType", t))),
            new XElement(Command + "returnValues", page.Outputs.Select(t => TypeEntry("returnValue", t))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paragraphs(page.Notes))),
            new XElement(Command + "examples", page.Examples.Select(Example)),
            new XElement(Command + "relatedLinks", page.Links.Select(l =>
                new XElement(Maml + "navigationLink", new XElement(Maml + "linkText", l.Text), new XElement(Maml + "uri", l.Uri)))));
    }

    /// <summary>One parameter set's syntax: positional parameters by position, then the required, then the rest.</summary>
    private static XElement SyntaxItem(CommandPage page, string set)
    {
        var members = page.Parameters
            .Where(p => set.Length == 0 || p.Sets.Contains("(All)") || p.Sets.Contains(set))
            .Select((p, index) => (p, index))
            .OrderBy(x => int.TryParse(x.p.Position, out var position) ? position : int.MaxValue)
            .ThenBy(x => x.p.Required ? 0 : 1)
            .ThenBy(x => x.index)
            .Select(x => Parameter(x.p, null));
        return new XElement(Command + "syntaxItem", new XElement(Maml + "name", page.Name), members);
    }

    private static XElement Parameter(ParameterHelp parameter, IReadOnlyList<string>? sets)
    {
        var isSwitch = parameter.Type is "SwitchParameter" or "System.Management.Automation.SwitchParameter";
        var element = new XElement(Command + "parameter",
            new XAttribute("required", parameter.Required ? "true" : "false"),
            new XAttribute("variableLength", parameter.Type.EndsWith("[]", StringComparison.Ordinal) ? "true" : "false"),
            new XAttribute("globbing", parameter.Globbing ? "true" : "false"),
            new XAttribute("pipelineInput", parameter.PipelineInput),
            new XAttribute("position", int.TryParse(parameter.Position, out _) ? parameter.Position : "named"),
            new XAttribute("aliases", parameter.Aliases is "None" or "" ? "none" : parameter.Aliases),
            new XElement(Maml + "name", parameter.Name),
            Description(parameter.Description));
        if (!isSwitch)
            element.Add(new XElement(Command + "parameterValue",
                new XAttribute("required", "true"), new XAttribute("variableLength", "false"), parameter.Type));
        element.Add(new XElement(Dev + "type", new XElement(Maml + "name", parameter.Type), new XElement(Maml + "uri")));
        element.Add(new XElement(Dev + "defaultValue", parameter.DefaultValue));
        if (sets is not null)
            element.Add(new XElement(Command + "parameterSetName", string.Join(", ", sets)));
        return element;
    }

    private static XElement TypeEntry(string kind, TypeHelp type) =>
        new(Command + kind,
            new XElement(Dev + "type", new XElement(Maml + "name", type.TypeName)),
            Description(type.Description));

    private static XElement Example(ExampleHelp example, int index) =>
        new(Command + "example",
            new XElement(Maml + "title", $"-------------------------- {example.Title} --------------------------"),
            new XElement(Dev + "code", example.Code),
            new XElement(Dev + "remarks", Paragraphs(example.Remarks)));

    private static XElement Description(IEnumerable<string> paragraphs) => new(Maml + "description", Paragraphs(paragraphs));

    private static IEnumerable<XElement> Paragraphs(IEnumerable<string> paragraphs) =>
        paragraphs.Select(p => new XElement(Maml + "para", p));
}
