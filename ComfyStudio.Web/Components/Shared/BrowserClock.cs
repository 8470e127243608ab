using System.Globalization;
using Microsoft.JSInterop;

namespace ComfyStudio.Web.Components.Shared;

/// <summary>
/// The one way a page writes a time: in the browser's own zone, on a 24-hour clock, the zone shown
/// (<c>2026-12-03 10:40 UTC+1</c>). The API stays in UTC with <c>Z</c>. Until the browser has said where it is (or where
/// it cannot), times are written in UTC, labelled so. One per circuit.
/// </summary>
public sealed class BrowserClock(IJSRuntime js)
{
    private Task? _learning;

    /// <summary>The browser's zone; UTC until it is known.</summary>
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    public bool Known { get; private set; }

    /// <summary>Asks the browser once (from <c>OnAfterRenderAsync</c>: there is no browser while prerendering).</summary>
    public Task LearnAsync() => _learning ??= AskAsync();

    private async Task AskAsync()
    {
        try
        {
            var where = await js.InvokeAsync<BrowserZone?>("studio.timeZone");
            if (where is not null) Zone = ZoneOf(where);
        }
        catch (Exception e) when (e is JSException or JSDisconnectedException or TaskCanceledException or InvalidOperationException)
        {
            // No answer: UTC, labelled as such, is still true.
        }
        Known = true;
    }

    /// <summary>The IANA zone the browser names, or (where this machine has no such zone) its offset now.</summary>
    internal static TimeZoneInfo ZoneOf(BrowserZone where)
    {
        if (!string.IsNullOrWhiteSpace(where.Id) && TimeZoneInfo.TryFindSystemTimeZoneById(where.Id, out var zone)) return zone;
        var offset = TimeSpan.FromMinutes(Math.Clamp(where.OffsetMinutes, -14 * 60, 14 * 60));
        return offset == TimeSpan.Zero ? TimeZoneInfo.Utc : TimeZoneInfo.CreateCustomTimeZone(Label(offset), offset, Label(offset), Label(offset));
    }

    /// <summary><c>2026-12-03 10:40 UTC+1</c>; with <paramref name="seconds"/> <c>2026-12-03 10:40:05 UTC+1</c>.</summary>
    public string Format(DateTime time, bool seconds = false) => Format(time, Zone, seconds ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm");

    /// <summary>The clock only: <c>10:40:05 UTC+1</c> (log lines, where the day is plain).</summary>
    public string Clock(DateTime time) => Format(time, Zone, "HH:mm:ss");

    internal static string Format(DateTime time, TimeZoneInfo zone, string pattern)
    {
        var utc = time.Kind switch
        {
            DateTimeKind.Local => time.ToUniversalTime(),
            _ => DateTime.SpecifyKind(time, DateTimeKind.Utc), // the database's times are UTC
        };
        var local = TimeZoneInfo.ConvertTimeFromUtc(utc, zone);
        return local.ToString(pattern, CultureInfo.InvariantCulture) + " " + Label(zone.GetUtcOffset(utc));
    }

    /// <summary><c>UTC</c>, <c>UTC+1</c>, <c>UTC-5</c>, <c>UTC+5:30</c>: the same label the extension writes.</summary>
    internal static string Label(TimeSpan offset)
    {
        if (offset == TimeSpan.Zero) return "UTC";
        var abs = offset.Duration();
        return $"UTC{(offset < TimeSpan.Zero ? "-" : "+")}{(int)abs.TotalHours}{(abs.Minutes != 0 ? $":{abs.Minutes:00}" : "")}";
    }
}
