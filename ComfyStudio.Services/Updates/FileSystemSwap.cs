namespace ComfyStudio.Services.Updates;

/// <summary>The file-system moves a deploy is made of: renames within one folder, so each swap is atomic.</summary>
internal static class FileSystemSwap
{
    public static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    /// <summary>Renames a file or folder (no copy: both paths are on the same volume, beside each other).</summary>
    public static void Move(string from, string to)
    {
        if (Directory.Exists(from)) Directory.Move(from, to);
        else File.Move(from, to);
    }

    /// <summary>Deletes a file or folder if present. Links inside a folder are removed, never followed.</summary>
    public static void Delete(string path)
    {
        if (File.Exists(path) || new FileInfo(path).LinkTarget is not null) File.Delete(path);
        else DeleteDirectory(path);
    }

    public static void DeleteDirectory(string path)
    {
        if (!Directory.Exists(path)) return;
        if (new DirectoryInfo(path).LinkTarget is not null)
        {
            Directory.Delete(path); // the link only
            return;
        }
        Directory.Delete(path, recursive: true); // .NET removes links inside without following them
    }

    /// <summary>Writes a file by writing a temporary copy beside it, flushing it to disk, and renaming it over the old one.</summary>
    public static void WriteAtomically(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(text);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
