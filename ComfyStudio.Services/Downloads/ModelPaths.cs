namespace ComfyStudio.Services.Downloads;

/// <summary>Paths under the models folder as requests give them: relative, inside, never through a link that leaves it.</summary>
public static class ModelPaths
{
    /// <summary>
    /// The path in its stored form (<c>/</c>-separated, relative to <paramref name="modelsDir"/>), or null when it is empty,
    /// absolute, climbs with <c>..</c>, names a <c>.part</c> file, or passes through a symbolic link that leads out
    /// of the models folder.
    /// </summary>
    public static string? Normalize(string? path, string modelsDir)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Length > 1024 || path.Contains('\0') || path.Contains('\\')) return null;
        var trimmed = path.Trim();
        if (trimmed.StartsWith('/') || Path.IsPathRooted(trimmed)) return null;
        var segments = trimmed.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0 || segments.Any(s => s is "." or ".." || s.Any(char.IsControl))) return null;
        if (segments[^1].EndsWith(".part", StringComparison.OrdinalIgnoreCase)) return null;
        var root = Path.GetFullPath(modelsDir);
        var full = Path.GetFullPath(Path.Combine([root, .. segments]));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return null;
        if (!StaysInside(root, segments)) return null;
        return string.Join('/', segments);
    }

    /// <summary>Each existing folder on the way (and the file itself) resolves to a place inside the models folder.</summary>
    private static bool StaysInside(string root, string[] segments)
    {
        var realRoot = Resolve(root);
        var at = root;
        foreach (var segment in segments)
        {
            at = Path.Combine(at, segment);
            FileSystemInfo info = Directory.Exists(at) ? new DirectoryInfo(at) : new FileInfo(at);
            if (!info.Exists && info.LinkTarget is null) return true; // nothing further exists yet: it will be created inside
            if (info.LinkTarget is null) continue;
            var real = Resolve(at);
            if (!real.StartsWith(realRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return false;
        }
        return true;
    }

    private static string Resolve(string path)
    {
        FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
        var target = info.LinkTarget is null ? null : info.ResolveLinkTarget(returnFinalTarget: true);
        return Path.GetFullPath(target?.FullName ?? path);
    }
}
