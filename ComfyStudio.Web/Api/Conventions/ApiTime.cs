namespace ComfyStudio.Web.Api.Conventions;

/// <summary>Times in API answers: UTC, ISO 8601 to the second, with <c>Z</c> (spec B's format).</summary>
public static class ApiTime
{
    public static string Iso(DateTime t) => ComfyStudio.Services.Formatting.UtcTime.Iso(t);

    public static string? Iso(DateTime? t) => ComfyStudio.Services.Formatting.UtcTime.Iso(t);
}
