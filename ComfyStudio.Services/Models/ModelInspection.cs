namespace ComfyStudio.Services.Models;

/// <summary>
/// What reading a model file's header found: its format (one of <see cref="ModelFormats"/>), the architecture or base
/// model its trainer wrote (safetensors <c>__metadata__</c>, GGUF's version), and, when the file cannot be what it says,
/// why (<paramref name="Problem"/>: a truncated safetensors file, a header that lies about its offsets…).
/// </summary>
public sealed record ModelInspection(string Format, string? Architecture, string? BaseModel, string? Problem, bool MayRunCode = false)
{
    public bool Valid => Problem is null;
}
