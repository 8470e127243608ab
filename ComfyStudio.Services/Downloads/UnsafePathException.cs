using ComfyStudio.Services.Errors;

namespace ComfyStudio.Services.Downloads;

/// <summary>
/// A file operation refused because the path, resolved now, leads outside the models folder (a folder on the way was
/// replaced by a link since the path was accepted). Nothing was read, written or deleted.
/// </summary>
public sealed class UnsafePathException(string relative)
    : StudioException(ErrorCodes.Conflict, $"'{relative}' now leads outside the models folder (a folder on its way is a link out of it); nothing was written or deleted there",
        new Dictionary<string, object?> { ["path"] = relative })
{
    public string RelativePath { get; } = relative;
}
