using ComfyStudio.Services.Errors;

namespace ComfyStudio.Services.Downloads;

/// <summary>A file that could not be downloaded: <see cref="ErrorCodes.DownloadFailed"/> or <see cref="ErrorCodes.InsufficientStorage"/>, with the reason.</summary>
public sealed class DownloadFailedException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
}
