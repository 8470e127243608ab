namespace ComfyStudio.Services.Models;

/// <summary>What a model file is, read from its first bytes (never by hashing it).</summary>
public static class ModelFormats
{
    public const string Safetensors = "safetensors";
    public const string Gguf = "gguf";
    /// <summary>A Python pickle (<c>.ckpt</c>, <c>.pt</c>, <c>.pth</c>, <c>.bin</c>, <c>.pkl</c>): loading one can run code.</summary>
    public const string Pickle = "pickle";
    public const string Unknown = "unknown";
}
