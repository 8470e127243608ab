using ComfyStudio.Services.Paging;
using ComfyStudio.Services.Presets;

namespace ComfyStudio.Web.Api.Presets;

/// <summary><c>GET /api/presets</c>: one page of the filtered catalog and the GPU it was matched against.</summary>
public sealed record PresetList(
    IReadOnlyList<PresetResource> Presets, int Total, int Page, int PerPage, bool HasNext, bool HasPrev, GpuResource? Gpu)
{
    public static PresetList From(Page<PresetResource> page, GpuInfo? gpu) =>
        new(page.Items, page.Total, page.PageNumber, page.PerPage, page.HasNext, page.HasPrev, GpuResource.From(gpu));
}
