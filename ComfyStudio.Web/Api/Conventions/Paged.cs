using ComfyStudio.Services.Paging;

namespace ComfyStudio.Web.Api.Conventions;

/// <summary>A list response: the named list beside spec B's pagination fields.</summary>
public static class Paged
{
    public static Dictionary<string, object?> Body<T>(string listName, Page<T> page) => new()
    {
        [listName] = page.Items,
        ["total"] = page.Total,
        ["page"] = page.PageNumber,
        ["per_page"] = page.PerPage,
        ["has_next"] = page.HasNext,
        ["has_prev"] = page.HasPrev,
    };
}
