using System.Globalization;

namespace ComfyStudio.Services.Formatting;

/// <summary>
/// The one way the studio writes a time for machines (API answers, the live feed, error bodies, headers): UTC with
/// <c>Z</c>, to the second (<c>2026-12-03T08:00:00Z</c>), or to the millisecond where order within a second matters
/// (events, log lines, telemetry samples). A time of unknown kind is taken as UTC, as the database stores them.
/// </summary>
public static class ApiTime
{
    public static string Iso(DateTime t) => Utc(t).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string? Iso(DateTime? t) => t is { } v ? Iso(v) : null;

    public static string Iso(DateTimeOffset t) => Iso(t.UtcDateTime);

    public static string Precise(DateTime t) => Utc(t).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string? Precise(DateTime? t) => t is { } v ? Precise(v) : null;

    private static DateTime Utc(DateTime t) => t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : DateTime.SpecifyKind(t, DateTimeKind.Utc);
}
