using System.Globalization;

namespace ComfyStudio.Services.Formatting;

/// <summary>The one way the API writes a time: UTC, to the second, with <c>Z</c> (<c>2026-12-03T08:00:00Z</c>).</summary>
public static class UtcTime
{
    public static string Iso(DateTime t) =>
        (t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : DateTime.SpecifyKind(t, DateTimeKind.Utc))
        .ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string? Iso(DateTime? t) => t is { } v ? Iso(v) : null;
}
