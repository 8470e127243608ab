using ComfyStudio.Services.Formatting;
using ComfyStudio.Services.Models;

namespace ComfyStudio.Web.Api.Models;

/// <summary>
/// A model file as the Dashboard API lists it (<c>path</c>, <c>type</c>, <c>size_gb</c>, <c>modified</c>, <c>preset</c>),
/// with what its header says beside it: format, architecture, base model, whether it is valid (and why not), whether
/// loading it can run code (a pickle), and every preset whose file it is.
/// </summary>
public sealed record ModelResource(
    string Path, string Type, double SizeGb, string Modified, string? Preset, long SizeBytes, string Format, string? Architecture,
    string? BaseModel, bool Valid, string? Problem, bool MayRunCode, IReadOnlyList<string> Presets, string Root)
{
    public static ModelResource From(ModelFile f) => new(
        f.Path, f.Type, ByteSize.Gb(f.Size), ApiTime.Iso(f.Modified), f.Presets.Count > 0 ? f.Presets[0] : null, f.Size, f.Inspection.Format,
        f.Inspection.Architecture, f.Inspection.BaseModel, f.Inspection.Valid, f.Inspection.Problem, f.Inspection.MayRunCode, f.Presets, f.Root);
}
