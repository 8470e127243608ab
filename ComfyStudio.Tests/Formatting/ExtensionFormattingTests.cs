using Microsoft.Playwright;

namespace ComfyStudio.Tests.Formatting;

/// <summary>The Chrome extension writes sizes, speeds and times as the studio's pages do (its own lib.js, run in Chromium).</summary>
public sealed class ExtensionFormattingTests : IAsyncLifetime
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await BrowserFactory.LaunchChromiumAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [Fact]
    public async Task Sizes_are_decimal_speeds_are_MB_per_second_and_times_show_the_zone()
    {
        var lib = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "chrome-extension", "src", "lib.js"));
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { TimezoneId = "Asia/Kolkata" });
        var page = await context.NewPageAsync();
        var texts = await page.EvaluateAsync<string[]>("""
            async (src) => {
              const m = await import('data:text/javascript,' + encodeURIComponent(src));
              return [m.formatBytes(500000000), m.formatBytes(23800000000), m.formatBytes(900), m.formatSpeed(12.5),
                      m.formatClock(new Date(Date.UTC(2026, 11, 3, 9, 0, 5)))];
            }
            """, lib);
        Assert.Equal(["500 MB", "23.8 GB", "900 B", "12.5 MB/s", "14:30:05 UTC+5:30"], texts);
    }
}
