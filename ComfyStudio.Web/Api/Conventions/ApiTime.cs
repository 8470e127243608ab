using System.Globalization;

namespace ComfyStudio.Web.Api.Conventions;

/// <summary>Times in API answers: UTC, ISO 8601 to the second, with <c>Z</c> (spec B's format).</summary>
public static class ApiTime
{
    public static string Iso(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string? Iso(DateTime? t) => t is { } v ? Iso(v) : null;
}
