using ComfyStudio.Services.Presets;

namespace ComfyStudio.Services.Workflows;

/// <summary>What "install what is missing" started: preset installs, one download of the files by URL, and what nothing provides.</summary>
public sealed record WorkflowInstall(IReadOnlyList<PresetInstallStarted> Presets, string? DownloadId, IReadOnlyList<string> Unavailable, IReadOnlyList<string> MissingNodes);
