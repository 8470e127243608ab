using ComfyStudio.Services.Versions;

namespace ComfyStudio.Services.Updates;

/// <summary>
/// One deployable part of a release: where it sits in the release repository (<see cref="DefaultSource"/>, or the
/// <c>dir</c>/<c>file</c> hint of its <c>version.json</c> entry) and where it goes under <c>STUDIO_DIR</c>.
/// </summary>
public sealed record ReleaseComponent(string Name, bool IsDirectory, string DefaultSource, string Target)
{
    /// <summary>
    /// The component's path in the release: the manifest's hint when it is a safe relative path of the right kind
    /// (no <c>..</c>, no absolute path), else the default. A hint that tries to leave the release is refused.
    /// </summary>
    public string SourceIn(ComponentVersion? entry)
    {
        var hint = IsDirectory ? entry?.Dir : entry?.File;
        if (string.IsNullOrWhiteSpace(hint)) return DefaultSource;
        var path = hint.Trim().TrimEnd('/');
        if (path.Length == 0 || path.StartsWith('/') || path.Contains('\\') || path.Contains('\0')
            || path.Split('/').Any(s => s is "" or "." or ".." || s.Equals(".git", StringComparison.OrdinalIgnoreCase)))
            throw new UpdateFailedException($"version.json gives {Name} an unsafe location '{hint}'");
        return path;
    }
}
