using System.Text.Json.Serialization;
using ComfyStudio.Services.Presets;

namespace ComfyStudio.Web.Api.Presets;

/// <summary><c>GET /api/presets/{id}</c>: the summary, then each file's state, the dependencies and the workflows.</summary>
public sealed record PresetDetailResource(
    [property: JsonIgnore] PresetResource Summary,
    [property: JsonPropertyOrder(1)] IReadOnlyList<PresetDetailResource.FileResource> Files,
    [property: JsonPropertyOrder(2)] IReadOnlyList<string> Dependencies,
    [property: JsonPropertyOrder(3)] IReadOnlyList<string> Workflows) : PresetResource(Summary)
{
    /// <summary>One file of the preset; <c>state</c> is one of <see cref="FileStates"/>.</summary>
    public sealed record FileResource(
        string Path, string Url, string? Size, long? SizeBytes, bool Optional, bool Installed, string State, long? SizeOnDisk,
        long DownloadedBytes, string? Sha256, string? Error, string? ErrorCode, bool NeedsToken);

    public static new PresetDetailResource From(PresetStatus s, GpuInfo? gpu) => new(
        PresetResource.From(s, gpu),
        [.. s.Files.Select(f => new FileResource(f.File.Path, f.File.Url, f.File.SizeText, f.File.SizeBytes, f.File.Optional, f.IsInstalled,
            f.State, f.SizeOnDisk, f.DownloadedBytes, f.File.Sha256, f.Error, f.ErrorCode, f.NeedsToken))],
        s.Preset.Dependencies, s.Preset.Workflows);
}
