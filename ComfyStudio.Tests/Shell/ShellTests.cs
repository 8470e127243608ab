using Microsoft.Playwright;
using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.Shell;

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
    public async Task At_phone_width_tables_become_labelled_cards_and_nothing_overflows()
    {
        await using var context = await factory.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 390, Height = 844 } });
        var page = await BrowserFactory.NewPageAsync(context);
        await page.GotoAsync(factory.BaseUrl + "/settings");
        await factory.SignInAsync(page, "/settings");
        var row = page.Locator("tr[data-env]").First;
        await row.WaitForAsync();

        // Each cell of a row is labelled on its card, stacked one under the other; the header row is not shown.
        var labels = await row.EvaluateAsync<string[]>(
            "tr => [...tr.querySelectorAll('td[data-label]')].map(td => getComputedStyle(td, '::before').content)");
        Assert.Equal(["\"Variable\"", "\"Value\"", "\"Default\"", "\"Description\""], labels);
        var tops = await row.EvaluateAsync<double[]>("tr => [...tr.querySelectorAll('td[data-label]')].map(td => td.getBoundingClientRect().top)");
        Assert.True(tops.Zip(tops.Skip(1)).All(p => p.Second > p.First), $"cells side by side: {string.Join(", ", tops)}");
        Assert.True(await page.EvaluateAsync<double>("document.querySelector('tr[data-env]').closest('table').querySelector('thead').getBoundingClientRect().height") <= 1,
            "the header row still takes a line");
        Assert.True(await page.EvaluateAsync<int>("document.scrollingElement.scrollWidth") <= 390, "the page scrolls sideways");

        // MudTable (the named keys) does the same with its own labels.
        await page.FillAsync("input[data-testid=key-name]", "phone-card");
        await page.ClickAsync("[data-testid=create-key]");
        var keyRow = page.Locator("tr.mud-table-row", new() { HasText = "phone-card" });
        await keyRow.WaitForAsync();
        var keyLabels = await keyRow.EvaluateAsync<string[]>(
            "tr => [...tr.querySelectorAll('td[data-label]')].map(td => getComputedStyle(td, '::before').content)");
        Assert.Contains("\"Created\"", keyLabels);

        // Every page fits the phone's width: nothing is cut off at the right edge.
        foreach (var path in new[] { "/", "/workflows", "/workflows/flux_schnell_basic", "/queue", "/history", "/models", "/downloads", "/presets", "/events", "/system", "/keys" })
        {
            await page.GotoAsync(factory.BaseUrl + path);
            await page.Locator("[data-studio-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await BrowserFactory.SettledAsync(page); // the circuit's first data (lists, figures) has arrived
            var wide = await page.EvaluateAsync<string>(
                "() => [...document.querySelectorAll('.mud-main-content *')].filter(e => !e.closest('.mud-drawer--closed, .studio-cards thead, .studio-editor-canvas') && e.getBoundingClientRect().right > 391 && getComputedStyle(e).visibility !== 'hidden').slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent ?? '').slice(0, 40)).join(' | ')");
            Assert.True(wide == "", $"{path}: cut off at 390 px: {wide}");
        }
        Assert.True(await page.EvaluateAsync<int>("document.scrollingElement.scrollWidth") <= 390, "the page scrolls sideways after a key was added");
    }

    [Fact]
    public async Task Every_field_and_toggle_on_every_page_has_a_label()
    {
        await using var context = await factory.Browser.NewContextAsync();
        var page = await BrowserFactory.NewPageAsync(context);
        await page.GotoAsync(factory.BaseUrl + "/presets");
        await factory.SignInAsync(page, "/presets");
        foreach (var path in new[] { "/presets", "/system", "/settings", "/events", "/downloads", "/keys", "/queue", "/history", "/models", "/workflows", "/workflows/flux_schnell_basic", "/" })
        {
            if (path != "/presets") await page.GotoAsync(factory.BaseUrl + path);
            await page.Locator("[data-studio-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await BrowserFactory.SettledAsync(page);
            // What a screen reader names the control by: aria-label, aria-labelledby, the <label> around it or for it.
            var unnamed = await page.EvaluateAsync<string[]>("""
                () => [...document.querySelectorAll('.mud-main-content input:not([type=hidden]), .mud-main-content textarea')].filter(i => {
                  const byFor = i.id ? document.querySelector(`label[for="${CSS.escape(i.id)}"]`) : null;
                  const by = i.getAttribute('aria-labelledby');
                  const name = i.getAttribute('aria-label') || i.closest('label')?.textContent || byFor?.textContent || (by ? document.getElementById(by)?.textContent : '') || '';
                  return !name.trim();
                }).map(i => i.outerHTML.slice(0, 160))
                """);
            Assert.True(unnamed.Length == 0, $"{path}: controls without a label: {string.Join(" | ", unnamed)}");
        }
        await page.GotoAsync(factory.BaseUrl + "/system");
        await page.Locator("[data-studio-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await page.GetByLabel("Update backend", new() { Exact = true }).WaitForAsync(new() { State = WaitForSelectorState.Attached });
    }

    [Fact]
    public async Task A_number_setting_applies_on_change_and_says_when_it_was_clamped()
    {
        var settings = factory.Services.GetRequiredService<ComfyStudio.Services.Settings.StudioSettings>();
        var before = settings.MaxConcurrent;
        await using var context = await factory.Browser.NewContextAsync();
        var page = await BrowserFactory.NewPageAsync(context);
        await page.GotoAsync(factory.BaseUrl + "/settings");
        await factory.SignInAsync(page, "/settings");
        try
        {
            var field = page.Locator("input[data-testid=max-concurrent]");
            await field.FillAsync("4");
            await field.PressAsync("Enter");
            await TestWait.UntilAsync(() => settings.MaxConcurrent == 4, what: "4 applied without a Save button");

            await field.FillAsync("50");
            await field.PressAsync("Tab");
            await TestWait.UntilAsync(() => settings.MaxConcurrent == 10, what: "50 clamped to 10 and applied");
            await page.GetByText("50 is more than the most (10): set to 10").First.WaitForAsync();
            Assert.Equal("10", await field.InputValueAsync());
        }
        finally
        {
            await settings.SetMaxConcurrentAsync(before);
        }
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
