using System.Globalization;

namespace MultiCluster.Engine.Inventory;

/// <summary>
/// Upstream Kubernetes' release table (kubernetes.io/releases): when each minor version was released
/// and when its patch support ends. Upstream supports the three newest minors, each for about 14
/// months (12 of them with regular patches, then 2 of maintenance); a minor past its end of life gets
/// no patches, security fixes included. Minors newer than the table are not judged by it.
/// </summary>
public static class KubernetesReleases
{
    public sealed record Release(int Minor, DateOnly Released, DateOnly EndOfLife)
    {
        public string Version => $"1.{Minor}";
    }

    private static readonly Release[] Table =
    [
        new(25, Date("2022-08-23"), Date("2023-10-28")),
        new(26, Date("2022-12-08"), Date("2024-02-28")),
        new(27, Date("2023-04-11"), Date("2024-06-28")),
        new(28, Date("2023-08-15"), Date("2024-10-28")),
        new(29, Date("2023-12-13"), Date("2025-02-28")),
        new(30, Date("2024-04-17"), Date("2025-06-28")),
        new(31, Date("2024-08-13"), Date("2025-10-28")),
        new(32, Date("2024-12-11"), Date("2026-02-28")),
        new(33, Date("2025-04-23"), Date("2026-06-28")),
        new(34, Date("2025-08-27"), Date("2026-10-27")),
        new(35, Date("2025-12-17"), Date("2027-02-28")),
    ];

    /// <summary>The newest minor the table knows.</summary>
    public static Release Newest => Table[^1];

    /// <summary>The minor's release, or null when the table does not know it (older than 1.25, or newer than it).</summary>
    public static Release? Find(int minor) => Table.FirstOrDefault(r => r.Minor == minor);

    /// <summary>The minors upstream patches on <paramref name="today"/>, as far as the table knows them.</summary>
    public static IReadOnlyList<Release> SupportedOn(DateOnly today) =>
        Table.Where(r => r.Released <= today && today <= r.EndOfLife).ToList();

    private static DateOnly Date(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
