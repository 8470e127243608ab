namespace ComfyStudio.Services.Paging;

/// <summary>One page of a list, with the fields every list response carries beside its named list.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Total, int PageNumber, int PerPage)
{
    public bool HasNext => (long)PageNumber * PerPage < Total;
    public bool HasPrev => PageNumber > 1;
}
