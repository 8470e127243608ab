using ComfyStudio.Services.Presets;

namespace ComfyStudio.Web.Api.Presets;

/// <summary><c>GET /api/presets/recommendations</c>: the catalog split by whether it fits this GPU's memory.</summary>
public sealed record PresetRecommendations(
    GpuResource? Gpu, IReadOnlyList<PresetRecommendations.Fit> Compatible, IReadOnlyList<PresetRecommendations.Fit> Incompatible,
    IReadOnlyList<PresetRecommendations.Fit> Unknown)
{
    public sealed record Fit(string Id, string Name, double? VramGb, bool? Compatible, bool Installed, string Category, string Type);

    public static PresetRecommendations From(Recommendations r) =>
        new(GpuResource.From(r.Gpu), Fits(r.Compatible), Fits(r.Incompatible), Fits(r.Unknown));

    private static List<Fit> Fits(IReadOnlyList<PresetFit> fits) =>
        [.. fits.Select(f => new Fit(f.Preset.Id, f.Preset.Name, f.VramGb, f.Compatible, f.Installed, f.Preset.Category, f.Preset.Type))];
}
