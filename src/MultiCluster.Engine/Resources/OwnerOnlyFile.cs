using System.Text;

namespace MultiCluster.Engine.Resources;

/// <summary>
/// Writes files that hold credentials (Secret manifests) readable by their owner only: written
/// next to the target with mode 0600 from the start and moved over it, so the content is never
/// readable by others, not even for a moment, and a reader never sees half a file.
/// </summary>
public static class OwnerOnlyFile
{
    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> (mode 0600 off Windows); IO failures propagate.</summary>
    public static void Write(string path, string text)
    {
        var directory = Path.GetDirectoryName(path)!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(directory);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
                writer.Write(text);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
