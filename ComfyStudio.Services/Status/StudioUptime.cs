using System.Diagnostics;

namespace ComfyStudio.Services.Status;

/// <summary>When this process started, and the System API's Europe/Rome rendering of it.</summary>
public sealed class StudioUptime(TimeProvider clock)
{
    public DateTime StartedAtUtc { get; } = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public int ProcessId { get; } = Environment.ProcessId;

    /// <summary>Names this run of the app (a restart gets a new one): open pages tell the app that came back from the one that is stopping.</summary>
    public string InstanceId { get; } = Guid.NewGuid().ToString("n")[..12];

    public TimeSpan Uptime => clock.GetUtcNow().UtcDateTime - StartedAtUtc;

    /// <summary><c>yyyy-MM-dd HH:mm:ss</c> in Europe/Rome, as the System API shows <c>started_at</c>.</summary>
    public string StartedAtRome => RomeTime.Format(StartedAtUtc, "yyyy-MM-dd HH:mm:ss");
}

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
