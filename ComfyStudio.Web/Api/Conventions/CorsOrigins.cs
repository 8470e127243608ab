namespace ComfyStudio.Web.Api.Conventions;

/// <summary>
/// <c>CORS_ORIGINS</c>, read once at start: a comma-separated list of origins (sent with credentials), or <c>*</c> for
/// any origin without credentials. Unset: any origin in Development, none otherwise. The API's CORS policy and the
/// live feed's origin check both read this.
/// </summary>
public sealed class CorsOrigins
{
    public CorsOrigins(string? setting, bool development)
    {
        Listed = [.. (setting ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(o => o.TrimEnd('/'))];
        AnyOrigin = Listed.Contains("*") || (Listed.Count == 0 && development);
    }

    /// <summary>The origins listed, without a trailing slash.</summary>
    public IReadOnlyList<string> Listed { get; }

    /// <summary>Any origin may call, without credentials.</summary>
    public bool AnyOrigin { get; }

    /// <summary>An origin named in the list (the browser's <c>Origin</c> header).</summary>
    public bool Lists(string origin) => Listed.Any(o => string.Equals(o, origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
}
