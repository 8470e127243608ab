namespace ComfyStudio.Services.Presets;

/// <summary>A file of a preset: where it goes under the models folder, where it comes from, and what is known of it.</summary>
/// <param name="SizeBytes">The exact size when the registry gives <c>size_bytes</c>, else the parsed human size (approximate).</param>
/// <param name="ExactSize">True when <paramref name="SizeBytes"/> came from <c>size_bytes</c> and can be verified against.</param>
public sealed record PresetFile(
    string Path, string Url, string? SizeText, long? SizeBytes, bool ExactSize, bool Optional,
    string? SourceType, string? Repo, string? Revision, string? Sha256);
