namespace ComfyStudio.Services.Downloads;

/// <summary>Paths under the models folder as requests give them: relative, inside, never through a link that leaves it.</summary>
public static class ModelPaths
{
    public const int MaxLength = 1024;

    /// <summary>
    /// The path in its stored form (<c>/</c>-separated, relative to <paramref name="modelsDir"/>), or null when it is not
    /// acceptable (see <see cref="Check"/>).
    /// </summary>
    public static string? Normalize(string? path, string modelsDir) => Check(path, modelsDir).Path;

    /// <summary>
    /// The path in its stored form, or what is wrong with it: empty, absolute, climbing with <c>..</c>, a <c>.part</c>
    /// name, a control or text-direction character, naming an existing folder, passing through a file, or leading out
    /// of the models folder through a link (resolved as the file system has it now).
    /// </summary>
    public static (string? Path, string? Problem) Check(string? path, string modelsDir)
    {
        const string relative = "must be a relative path inside the models folder (no '..', no absolute path)";
        if (string.IsNullOrWhiteSpace(path)) return (null, "is empty");
        if (path.Length > MaxLength) return (null, $"is longer than {MaxLength} characters");
        if (path.Any(IsForbiddenChar)) return (null, "contains a control or text-direction character");
        if (path.Contains('\\')) return (null, relative + "; use '/' between folders");
        var trimmed = path.Trim();
        if (trimmed.StartsWith('/') || System.IO.Path.IsPathRooted(trimmed)) return (null, relative);
        var segments = trimmed.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0 || segments.Any(s => s is "." or "..")) return (null, relative);
        if (segments.Any(s => s != s.Trim())) return (null, "has a folder or file name that starts or ends with a space");
        if (segments[^1].EndsWith(".part", StringComparison.OrdinalIgnoreCase)) return (null, "must not end in .part (the name of an unfinished download)");
        var normalized = string.Join('/', segments);
        // '..' and absolute paths are refused above: what is left can only leave through a link.
        var real = ModelFolder.RealPathUnder(modelsDir, normalized);
        if (real is null) return (null, "leads outside the models folder through a link");
        if (Directory.Exists(real)) return (null, $"names a folder ('{normalized}'); give the path of a file in it");
        // A file on the way ('a.safetensors/b') can never be a folder to write into.
        var at = ModelFolder.RealPath(modelsDir);
        foreach (var segment in segments[..^1])
        {
            at = System.IO.Path.Combine(at, segment);
            if (File.Exists(at) && !Directory.Exists(at)) return (null, $"passes through '{segment}', which is a file, not a folder");
        }
        return (normalized, null);
    }

    /// <summary>Control characters and the Unicode marks that reorder how a name is shown (a name must read as it is).</summary>
    public static bool IsForbiddenChar(char c) =>
        char.IsControl(c)
        || c is '\u200E' or '\u200F' or '\u061C'          // left-to-right, right-to-left and Arabic letter marks
        || c is >= '\u202A' and <= '\u202E'               // embeddings and overrides
        || c is >= '\u2066' and <= '\u2069'               // isolates
        || c is '\uFEFF' or '\u200B';                      // zero-width no-break space and space
}
