using ComfyStudio.Services.Errors;

namespace ComfyStudio.Services.Presets;

/// <summary>One file of a preset with its state; <paramref name="Path"/> is null when the path is unusable here (a link out of the models folder).</summary>
public sealed record PresetFileStatus(
    PresetFile File, string? Path, string State, long? SizeOnDisk, long DownloadedBytes, string? Error, string? ErrorCode)
{
    public bool IsInstalled => State == FileStates.Installed;
    /// <summary>The host refused the file: a token is missing or lacks access.</summary>
    public bool NeedsToken => ErrorCode == ErrorCodes.AccessDenied;
}
