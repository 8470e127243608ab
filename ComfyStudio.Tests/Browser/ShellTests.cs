using Microsoft.Playwright;
using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.Browser;

public sealed class ShellTests(BrowserFactory factory) : IClassFixture<BrowserFactory>
{
    [Fact]
    public async Task The_log_viewer_shows_one_line_per_entry_and_follow_keeps_the_newest_in_view()
    {
        var log = factory.Services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("ComfyStudio.Tests.LogFlood");
        for (var i = 0; i < 80; i++)
            Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(log, "flood line {N}\nwith a second line\nand a third " + new string('x', 400), i);
        await using var context = await factory.Browser.NewContextAsync();
        var page = await BrowserFactory.NewPageAsync(context);
        await page.GotoAsync(factory.BaseUrl + "/system");
        await factory.SignInAsync(page, "/system");
        await page.Locator("[data-testid=log-lines] .studio-log-line").Nth(40).WaitForAsync();
        Assert.True(await page.EvaluateAsync<bool>("[...document.querySelectorAll('.studio-log-line')].every(e => e.offsetHeight <= 20)"), "an entry spans several lines");

        Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(log, "the newest line {Tag}", "zz-newest");
        await page.WaitForFunctionAsync("(document.querySelector('[data-testid=log-lines]').lastElementChild?.textContent ?? '').includes('zz-newest')");
        await page.WaitForFunctionAsync("(() => { const b = document.querySelector('[data-testid=log-lines]'); return b.scrollHeight > b.clientHeight && b.scrollTop + b.clientHeight >= b.scrollHeight - 2; })()");
    }

    [Fact]
    public async Task The_page_title_takes_focus_after_navigation_without_a_focus_box()
    {
        await using var context = await factory.Browser.NewContextAsync();
        var page = await BrowserFactory.NewPageAsync(context);
        await page.GotoAsync(factory.BaseUrl + "/events");
        await factory.SignInAsync(page, "/events");
        // From the keyboard, where the browser draws focus boxes (focus-visible).
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Downloads", Exact = true }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(factory.BaseUrl + "/downloads");
        await page.WaitForFunctionAsync("document.activeElement && document.activeElement.tagName === 'H1'");
        Assert.Equal("none", await page.EvaluateAsync<string>("getComputedStyle(document.activeElement).outlineStyle"));
    }

    [Fact]
    public async Task At_phone_width_the_app_bar_fits_and_sign_out_is_on_screen()
    {
        await using var context = await factory.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 390, Height = 844 } });
        var page = await BrowserFactory.NewPageAsync(context);
        await page.GotoAsync(factory.BaseUrl + "/events");
        await factory.SignInAsync(page, "/events");
        var signOut = page.Locator("[data-testid=sign-out]");
        await signOut.WaitForAsync();
        var box = await signOut.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box!.X >= 0 && box.X + box.Width <= 390, $"sign-out at x={box.X}, width {box.Width}");
        Assert.True(await page.EvaluateAsync<int>("document.querySelector('.mud-appbar').scrollWidth") <= 390, "the app bar overflows");
    }

    [Fact]
    public async Task The_reconnect_banner_reads_white_on_amber_not_white_on_white()
    {
        await using var context = await factory.Browser.NewContextAsync();
        var page = await BrowserFactory.NewPageAsync(context);
        await page.GotoAsync(factory.BaseUrl + "/events");
        await factory.SignInAsync(page, "/events");
        await page.Locator("[data-testid=signed-in]").WaitForAsync();
        var colors = await page.EvaluateAsync<string[]>(@"() => {
            const m = document.getElementById('components-reconnect-modal');
            m.classList.add('components-reconnect-show');
            const s = getComputedStyle(m);
            return [s.backgroundColor, s.color, s.display];
        }");
        Assert.Equal(["rgb(180, 83, 9)", "rgb(255, 255, 255)"], colors[..2]);
        Assert.NotEqual("none", colors[2]);
    }

    [Fact]
    public async Task Logging_in_through_the_real_page_shows_the_shell_and_signing_out_returns_to_login()
    {
        await using var context = await factory.Browser.NewContextAsync();
        var page = await BrowserFactory.NewPageAsync(context);
        // Every circuit connection passes through here, so the test can cut the live one.
        IWebSocketRoute? circuit = null;
        await page.RouteWebSocketAsync(new System.Text.RegularExpressions.Regex("/_blazor"), ws =>
        {
            ws.ConnectToServer();
            circuit = ws;
        });

        await page.GotoAsync(factory.BaseUrl + "/events");
        await page.WaitForURLAsync("**/login?ReturnUrl=*");

        await page.FillAsync("#api_key", "not-the-key");
        await page.ClickAsync("[data-testid=sign-in]");
        await page.WaitForSelectorAsync("[data-testid=login-error]");
        StringAssert(await page.TextContentAsync("[data-testid=login-error]"), "not valid");

        await factory.SignInAsync(page, "/events");

        // The interactive shell: signed-in state, navigation, the live event feed.
        var signedIn = page.Locator("[data-testid=signed-in]");
        await signedIn.WaitForAsync();
        StringAssert(await signedIn.TextContentAsync(), "primary");
        await page.Locator("[data-event-type='system.backend.started']").First.WaitForAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Dashboard", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(factory.BaseUrl + "/");
        await page.Locator("[data-testid=app-version]").WaitForAsync();

        // Dark/light toggle flips MudBlazor's palette and is remembered.
        var before = await page.EvaluateAsync<string>("getComputedStyle(document.documentElement).getPropertyValue('--mud-palette-background')");
        await page.ClickAsync("[data-testid=theme-toggle]");
        await page.WaitForFunctionAsync($"getComputedStyle(document.documentElement).getPropertyValue('--mud-palette-background') !== '{before}'");
        Assert.NotNull(await page.EvaluateAsync<string?>("localStorage.getItem('studio-theme')"));

        // Losing the circuit shows the reconnect banner; it goes away once the circuit is back.
        var banner = page.Locator("#components-reconnect-modal");
        Assert.False(await banner.IsVisibleAsync());
        await circuit!.CloseAsync(new() { Code = 4000, Reason = "test cut the connection" });
        await banner.WaitForAsync(new() { State = WaitForSelectorState.Visible });
        StringAssert(await banner.InnerTextAsync(), "reconnecting");
        await banner.WaitForAsync(new() { State = WaitForSelectorState.Hidden, Timeout = 60_000 });

        await page.ClickAsync("[data-testid=sign-out]");
        await page.WaitForURLAsync("**/login");
        await page.GotoAsync(factory.BaseUrl + "/");
        await page.WaitForURLAsync("**/login?ReturnUrl=*");
    }

    private static void StringAssert(string? actual, string expected) => Assert.Contains(expected, actual ?? "");
}

public sealed class KeysPageTests(BrowserFactory factory) : IClassFixture<BrowserFactory>
{
    [Fact]
    public async Task A_key_created_on_the_page_is_shown_once_works_and_can_be_revoked()
    {
        await using var context = await factory.Browser.NewContextAsync();
        var page = await BrowserFactory.NewPageAsync(context);
        await page.GotoAsync(factory.BaseUrl + "/keys");
        await factory.SignInAsync(page, "/keys");

        await page.GetByLabel("New key name").FillAsync("from-browser");
        await page.ClickAsync("[data-testid=create-key]");
        var shown = page.Locator("[data-testid=new-key]");
        await shown.WaitForAsync();
        var key = (await shown.TextContentAsync())!.Trim();
        Assert.StartsWith("cs_", key);
        await page.GetByRole(AriaRole.Cell, new() { Name = "from-browser", Exact = true }).WaitForAsync();

        using var api = new HttpClient { BaseAddress = new Uri(factory.BaseUrl) };
        api.DefaultRequestHeaders.Add("X-API-Key", key);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await api.GetAsync("/api/admin/events")).StatusCode);

        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await page.GetByText("No named keys.").WaitForAsync();
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await api.GetAsync("/api/admin/events")).StatusCode);
    }
}
