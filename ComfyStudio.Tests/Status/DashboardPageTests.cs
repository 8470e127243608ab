using System.Globalization;
using Microsoft.Playwright;

namespace ComfyStudio.Tests.Status;

/// <summary>The dashboard in a real browser: gauges with live figures, pushed over the circuit.</summary>
public sealed class DashboardPageTests(DashboardPageTests.FastTelemetryFactory factory) : IClassFixture<DashboardPageTests.FastTelemetryFactory>
{
    public sealed class FastTelemetryFactory : BrowserFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["Telemetry:SampleInterval"] = "00:00:00.300",
            ["Telemetry:NvidiaSmiPath"] = "/nonexistent/nvidia-smi",
            ["COMFYUI_URL"] = "http://127.0.0.1:9",
        };
    }

    [Fact]
    public async Task After_login_the_dashboard_shows_live_gauges_sparklines_and_status()
    {
        await using var context = await factory.Browser.NewContextAsync();
        var page = await BrowserFactory.NewPageAsync(context);
        await page.GotoAsync(factory.BaseUrl + "/");
        await page.WaitForURLAsync("**/login?ReturnUrl=*");
        await factory.SignInAsync(page, "/");

        foreach (var id in new[] { "cpu", "ram", "disk" })
        {
            var gauge = page.Locator($"[data-testid=gauge-{id}]");
            await page.WaitForFunctionAsync($"document.querySelector('[data-testid=gauge-{id}]')?.dataset.percent !== ''");
            var percent = double.Parse((await gauge.GetAttributeAsync("data-percent"))!, CultureInfo.InvariantCulture);
            Assert.InRange(percent, 0, 1000); // a load average may pass 100 %
            Assert.Contains(await gauge.GetAttributeAsync("data-level"), new[] { "normal", "warn", "alert" });
        }
        // No nvidia-smi here: the GPU gauge says so instead of showing a number.
        Assert.Equal("unknown", await page.Locator("[data-testid=gauge-gpu]").GetAttributeAsync("data-level"));
        StringAssert(await page.Locator("[data-testid=gauge-gpu]").TextContentAsync(), "No GPU");

        // Live: new samples arrive over the circuit and the sparkline appears without a reload.
        await page.Locator("[data-testid=sparkline-ram]").WaitForAsync();
        var navigations = 0;
        page.FrameNavigated += (_, _) => navigations++;
        var before = await page.Locator("[data-testid=sparkline-ram] path").Last.GetAttributeAsync("d");
        await page.WaitForFunctionAsync("d => [...document.querySelectorAll('[data-testid=sparkline-ram] path')].pop()?.getAttribute('d') !== d", before);
        Assert.Equal(0, navigations);

        await page.Locator("[data-testid=comfyui-status]").WaitForAsync();
        Assert.Equal("unreachable", (await page.Locator("[data-testid=comfyui-status]").TextContentAsync())?.Trim());
        // "Open ComfyUI" leads to ComfyUI itself (COMFYUI_URL here; the pod's proxy URL on RunPod).
        var comfyUrl = factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ComfyStudio.Services.Configuration.StudioOptions>>().Value.ComfyUiUrl;
        Assert.Equal(comfyUrl, await page.Locator("[data-testid=open-comfyui]").GetAttributeAsync("href"));
        StringAssert(await page.Locator("[data-testid=components]").TextContentAsync(), "backend");
        StringAssert(await page.Locator("[data-testid=database]").TextContentAsync(), "events");
    }

    [Fact]
    public async Task Times_on_pages_are_the_browsers_local_time_with_its_zone_shown()
    {
        await using var context = await factory.Browser.NewContextAsync(new BrowserNewContextOptions { TimezoneId = "Asia/Kolkata" });
        var page = await BrowserFactory.NewPageAsync(context);
        await page.GotoAsync(factory.BaseUrl + "/keys");
        await factory.SignInAsync(page, "/keys");
        // A new key's creation time, in Kolkata's zone (the server runs in UTC), labelled; its UTC time in the attribute.
        await page.FillAsync("input[data-testid=key-name]", "zone-check");
        await page.ClickAsync("[data-testid=create-key]");
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('[data-testid=local-time]')].some(t => t.textContent.endsWith(' UTC+5:30'))");
        var time = page.Locator("[data-testid=local-time]").First;
        var utc = DateTime.Parse((await time.GetAttributeAsync("datetime"))!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        Assert.Equal(utc.AddMinutes(330).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC+5:30", (await time.TextContentAsync())?.Trim());
    }

    private static void StringAssert(string? text, string expected) => Assert.Contains(expected, text ?? "");
}
