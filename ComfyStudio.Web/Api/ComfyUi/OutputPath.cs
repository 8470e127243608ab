using ComfyStudio.Services.Errors;

namespace ComfyStudio.Web.Api.ComfyUi;

/// <summary>A file name, folder and kind for ComfyUI's <c>/view</c>, checked so that none can climb out of ComfyUI's folders.</summary>
public static class OutputPath
{
    public static (string Name, string? Subfolder, string Type) Check(string? filename, string? subfolder, string? type)
    {
        var kind = string.IsNullOrEmpty(type) ? "output" : type;
        if (kind is not ("output" or "input" or "temp")) throw StudioException.Validation("type must be output, input or temp");
        if (string.IsNullOrWhiteSpace(filename)) throw StudioException.Validation("filename is required");
        if (filename.Length > 255 || Unsafe(filename) || filename.Contains('/') || filename.Contains('\\'))
            throw StudioException.Validation("filename must be a file's name, without a folder or '..'");
        if (!string.IsNullOrEmpty(subfolder) && (subfolder.Length > 500 || Unsafe(subfolder) || subfolder.StartsWith('/') || subfolder.Contains('\\')
                                                 || subfolder.Split('/').Any(p => p is ".." or ".")))
            throw StudioException.Validation("subfolder must be a folder inside ComfyUI's, without '..'");
        return (filename, string.IsNullOrEmpty(subfolder) ? null : subfolder, kind);
    }

    private static bool Unsafe(string s) => s.Contains("..", StringComparison.Ordinal) || s.Any(char.IsControl) || Path.IsPathRooted(s) || s.Contains(':');
}
