namespace MultiCluster.Engine.Errors;

/// <summary>
/// Names in a message: all of a few, or the first few and how many more. A refusal to touch 500
/// clusters is the one message that is always about many, and it must still read as one line.
/// </summary>
public static class NameList
{
    /// <summary>How many names a message shows before it counts the rest.</summary>
    public const int Shown = 5;

    /// <summary>"a, b, c" for up to six names; "a, b, c, d, e and 495 more" beyond.</summary>
    public static string Brief(IEnumerable<string> names)
    {
        var list = names as IReadOnlyList<string> ?? names.ToList();
        // "and 1 more" is no shorter than the name it hides.
        return list.Count <= Shown + 1
            ? string.Join(", ", list)
            : $"{string.Join(", ", list.Take(Shown))} and {list.Count - Shown} more";
    }
}
