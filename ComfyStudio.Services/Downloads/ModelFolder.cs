using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Errors;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Downloads;

/// <summary>
/// The one place that turns a models-relative path into the file the studio acts on. Every file operation (create,
/// write, rename into place, delete, resume, cancel, uninstall) asks here at the moment it acts: each component of the
/// path is resolved as the file system has it now (links followed), and a path whose real place is not inside the
/// models folder's real place is refused with <see cref="UnsafePathException"/>. A path accepted when a download was
/// created is therefore never followed blindly later, when a folder may have been swapped for a link.
/// </summary>
public sealed class ModelFolder(IOptions<StudioOptions> options)
{
    /// <summary>The models folder as configured (<c>COMFYUI_DIR/models</c>).</summary>
    public string Root => Path.GetFullPath(options.Value.ModelsDir);

    /// <summary>
    /// The real absolute path of <paramref name="relative"/> (plus <paramref name="suffix"/>, e.g. <c>.part</c>), resolved
    /// now; <see cref="UnsafePathException"/> when it is not inside the models folder.
    /// </summary>
    public string Resolve(string relative, string suffix = "") =>
        RealPathUnder(Root, relative + suffix) ?? throw new UnsafePathException(relative + suffix);

    /// <summary>
    /// The real path of <paramref name="relative"/> (<c>/</c>-separated) under <paramref name="root"/>, resolved now;
    /// null when it climbs out of the root or leads out of the root's real place through a link.
    /// </summary>
    public static string? RealPathUnder(string root, string relative)
    {
        root = Path.GetFullPath(root);
        var lexical = Path.GetFullPath(Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar)));
        if (!IsUnder(lexical, root)) return null;
        var real = RealPath(lexical);
        return IsUnder(real, RealPath(root)) ? real : null;
    }

    /// <summary>The resolved path, or null when it leads outside (for reads that treat such a file as absent).</summary>
    public string? TryResolve(string relative, string suffix = "")
    {
        try { return Resolve(relative, suffix); }
        catch (UnsafePathException) { return null; }
    }

    /// <summary>Deletes the file if it is there (resolved now); answers its size, or null when there was none.</summary>
    public long? Delete(string relative, string suffix = "")
    {
        var info = new FileInfo(Resolve(relative, suffix));
        if (!info.Exists) return null;
        var size = info.Length;
        info.Delete();
        return size;
    }

    /// <summary>A message with the server's paths of the models folder written relative to it (for errors users read).</summary>
    public string Relative(string text)
    {
        var root = Root;
        var realRoot = RealPath(root);
        foreach (var r in new[] { realRoot, root }.Distinct())
            text = text.Replace(r + Path.DirectorySeparatorChar, "", StringComparison.Ordinal).Replace(r, "models folder", StringComparison.Ordinal);
        return text;
    }

    private static bool IsUnder(string path, string root) =>
        path.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>
    /// <c>realpath(3)</c> for a path whose end may not exist yet: every existing component is resolved (links followed,
    /// to any depth), the part that does not exist is appended as written.
    /// </summary>
    public static string RealPath(string path)
    {
        path = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows()) return path;
        var pending = new LinkedList<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var real = "/";
        var hops = 0;
        while (pending.First is { } first)
        {
            var segment = first.Value;
            pending.RemoveFirst();
            if (segment == ".") continue;
            if (segment == "..")
            {
                real = Path.GetDirectoryName(real) ?? "/";
                continue;
            }
            var next = Path.Join(real, segment);
            string? target;
            try { target = new FileInfo(next).LinkTarget; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { target = null; }
            if (target is null)
            {
                real = next; // a plain file or folder, or nothing (yet)
                continue;
            }
            if (++hops > 40) throw new IOException($"too many levels of links at {next}");
            if (target.StartsWith('/')) real = "/";
            foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse()) pending.AddFirst(part);
        }
        return real;
    }
}
