namespace ComfyStudio.Web.Api.Models;

/// <summary><c>GET /api/models/types</c>: ComfyUI's model folders with display names and how many files each holds.</summary>
public sealed record ModelTypeList(IReadOnlyList<ModelTypeList.TypeCount> Types)
{
    public sealed record TypeCount(string Id, string Name, int Count);
}
