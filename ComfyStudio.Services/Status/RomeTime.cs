namespace ComfyStudio.Services.Status;

/// <summary>
/// Europe/Rome, from the system's time-zone data, or (where the image has none) the EU rule itself:
/// UTC+1, and UTC+2 from the last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC.
/// </summary>
public static class RomeTime
{
    private static readonly TimeZoneInfo? Zone =
        TimeZoneInfo.TryFindSystemTimeZoneById("Europe/Rome", out var z) ? z : null;

    public static DateTime From(DateTime utc)
    {
        utc = DateTime.SpecifyKind(utc, DateTimeKind.Utc);
        return Zone is not null ? TimeZoneInfo.ConvertTimeFromUtc(utc, Zone) : ByEuRule(utc);
    }

    internal static DateTime ByEuRule(DateTime utc)
    {
        var start = LastSunday(utc.Year, 3).AddHours(1);
        var end = LastSunday(utc.Year, 10).AddHours(1);
        return DateTime.SpecifyKind(utc.AddHours(utc >= start && utc < end ? 2 : 1), DateTimeKind.Unspecified);
    }

    public static string Format(DateTime utc, string format) =>
        From(utc).ToString(format, System.Globalization.CultureInfo.InvariantCulture);

    internal static DateTime LastSunday(int year, int month)
    {
        var last = new DateTime(year, month, DateTime.DaysInMonth(year, month), 0, 0, 0, DateTimeKind.Utc);
        return last.AddDays(-(int)last.DayOfWeek);
    }
}
