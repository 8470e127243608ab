using ComfyStudio.Services.Errors;

namespace ComfyStudio.Services.Paging;

/// <summary>The Dashboard API's pagination: <c>page</c> (from 1, default 1) and <c>per_page</c> (1–100, default 20).</summary>
public readonly record struct PageRequest(int Page, int PerPage)
{
    public const int DefaultPerPage = 20;
    public const int MaxPerPage = 100;

    public int Skip => (int)Math.Min(int.MaxValue, ((long)Page - 1) * PerPage);

    /// <summary>Validates raw query values; out-of-range values are a VALIDATION_ERROR, not a silent clamp.</summary>
    public static PageRequest From(int? page, int? perPage)
    {
        var p = page ?? 1;
        var pp = perPage ?? DefaultPerPage;
        if (p < 1)
            throw StudioException.Validation("page must be 1 or more", new Dictionary<string, object?> { ["page"] = p });
        if (pp < 1 || pp > MaxPerPage)
            throw StudioException.Validation($"per_page must be between 1 and {MaxPerPage}",
                new Dictionary<string, object?> { ["per_page"] = pp });
        return new PageRequest(p, pp);
    }

    public Page<T> Of<T>(IReadOnlyList<T> items, int total) => new(items, total, Page, PerPage);

    /// <summary>Pages an in-memory sequence.</summary>
    public Page<T> Apply<T>(IEnumerable<T> source)
    {
        var all = source as IReadOnlyList<T> ?? source.ToList();
        return Of(all.Skip(Skip).Take(PerPage).ToList(), all.Count);
    }
}
