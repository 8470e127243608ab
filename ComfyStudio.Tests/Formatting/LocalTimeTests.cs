using Bunit;
using ComfyStudio.Web.Components.Shared;

namespace ComfyStudio.Tests.Formatting;

/// <summary>A time on a page is the browser's local time with the zone shown, never an unlabelled server time.</summary>
public sealed class LocalTimeTests : IAsyncDisposable
{
    private readonly BunitContext _ctx = MudTestContext.Create();

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();

    private static readonly DateTime At = new(2026, 12, 3, 9, 0, 5, DateTimeKind.Utc);

    [Fact]
    public void A_time_is_written_in_the_browsers_zone_once_it_says_where_it_is()
    {
        _ctx.JSInterop.Setup<BrowserZone>("studio.timeZone").SetResult(new BrowserZone("Europe/Rome", 60));
        var time = _ctx.Render<LocalTime>(p => p.Add(x => x.Value, At));
        time.WaitForAssertion(() => Assert.Equal("2026-12-03 10:00 UTC+1", time.Find("time").TextContent));
        Assert.Equal("2026-12-03T09:00:05Z", time.Find("time").GetAttribute("datetime"));
    }

    [Fact]
    public void Until_the_browser_answers_the_time_is_utc_and_says_so()
    {
        _ctx.JSInterop.Setup<BrowserZone>("studio.timeZone"); // never answers
        var time = _ctx.Render<LocalTime>(p => p.Add(x => x.Value, At).Add(x => x.ClockOnly, true));
        Assert.Equal("09:00:05 UTC", time.Find("time").TextContent);
    }
}
