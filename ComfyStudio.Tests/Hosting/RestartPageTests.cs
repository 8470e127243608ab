using ComfyStudio.Tests.Hosting;
using ComfyStudio.Tests.Infrastructure;
using Microsoft.Playwright;

namespace ComfyStudio.Tests.Hosting;

/// <summary>The System page's restart against the built app as a real process: confirm, and the page comes back by itself on the new process.</summary>
public sealed class RestartPageTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDir("restart-page");

    [Fact]
    public async Task Restart_from_the_system_page_reloads_onto_the_new_process_signed_in()
    {
        using var app = new StudioProcess(TestPaths.WebDll(), _dir);
        var first = (await app.UptimeAsync(TimeSpan.FromSeconds(90))).GetProperty("pid").GetInt32();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserFactory.LaunchChromiumAsync(playwright);
        await using var context = await browser.NewContextAsync();
        var page = await BrowserFactory.NewPageAsync(context);
        var baseUrl = $"http://127.0.0.1:{app.Port}";
        await page.GotoAsync(baseUrl + "/system");
        await page.FillAsync("#api_key", StudioFactory.PrimaryKey);
        await page.ClickAsync("[data-testid=sign-in]");
        await page.WaitForURLAsync(baseUrl + "/system");
        await page.Locator("[data-studio-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        Assert.Contains($"process {first}", await page.Locator("[data-testid=system-uptime]").TextContentAsync());

        await page.ClickAsync("[data-testid=restart]");
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Restart", Exact = true }).ClickAsync();
        await page.Locator("[data-testid=restarting]").WaitForAsync();

        // No click, no reload by hand: the page waits for the new process and reloads onto it, still signed in.
        try
        {
            await page.WaitForFunctionAsync(
                $"(document.querySelector('[data-testid=system-uptime]')?.textContent ?? '').match(/process (\\d+)/)?.[1] > 0 && !document.querySelector('[data-testid=system-uptime]').textContent.includes('process {first}')",
                null, new() { Timeout = 90_000, PollingInterval = 250 });
        }
        catch (TimeoutException)
        {
            var body = await page.Locator("body").InnerTextAsync();
            Assert.Fail($"The page did not come back on a new process. At {page.Url}:\n{body[..Math.Min(body.Length, 1500)]}\nApp output:\n{app.Output}");
        }
        await page.Locator("[data-studio-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        Assert.Equal(baseUrl + "/system", page.Url);
        Assert.False(app.First.HasExited, "the first process stays, as the new one's supervisor");
        // The circuit reconnecting while the app stopped did not hold the stop for the host's whole timeout.
        Assert.DoesNotContain("failed to stop", app.Output);
    }

    public void Dispose() => TestPaths.TryDelete(_dir);
}
