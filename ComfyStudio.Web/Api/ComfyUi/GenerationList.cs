using ComfyStudio.Services.ComfyUi;
using ComfyStudio.Services.Paging;

namespace ComfyStudio.Web.Api.ComfyUi;

/// <summary><c>GET /api/comfyui/history</c>: one page of generations, newest first.</summary>
public sealed record GenerationList(IReadOnlyList<GenerationResource> History, int Total, int Page, int PerPage, bool HasNext, bool HasPrev)
{
    public static GenerationList From(Page<GenerationView> page) =>
        new([.. page.Items.Select(GenerationResource.From)], page.Total, page.PageNumber, page.PerPage, page.HasNext, page.HasPrev);
}
