using ComfyStudio.Tests.Updates;
using Microsoft.Playwright;

namespace ComfyStudio.Tests.Updates;

/// <summary>The System page's updates in a real browser: check, the dashboard's banner, toggles, update with its result.</summary>
public sealed class SystemUpdatesPageTests(SystemUpdatesPageTests.ReleaseBrowserFactory factory) : IClassFixture<SystemUpdatesPageTests.ReleaseBrowserFactory>
{
    public sealed class ReleaseBrowserFactory : BrowserFactory
    {
        public ReleaseSource Source { get; } = new();

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["REPO_URL"] = Source.Url,
            ["RUNTIME_VERSION"] = "1",
            ["Telemetry:NvidiaSmiPath"] = "/nonexistent/nvidia-smi",
            ["COMFYUI_URL"] = "http://127.0.0.1:9",
        };

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            Source.Dispose();
        }
    }

    [Fact]
    public async Task Check_shows_what_is_newer_the_dashboard_offers_it_and_update_deploys_the_chosen_components()
    {
        factory.Source.Publish(ReleaseSource.Manifest("0.2.0", 0, ("frontend", "0.2.0"), ("models", 2), ("loras", 2)), ReleaseSource.AllComponents("ui"));
        await using var context = await factory.Browser.NewContextAsync();
        var page = await BrowserFactory.NewPageAsync(context);
        await page.GotoAsync(factory.BaseUrl + "/system");
        await factory.SignInAsync(page, "/system");

        await page.Locator("[data-testid=check-updates]").ClickAsync();
        await page.Locator("[data-testid=newer-frontend]").WaitForAsync();
        await page.Locator("[data-testid=newer-models]").WaitForAsync();
        Assert.Equal(1, await page.Locator("[data-testid=newer-loras]").CountAsync());
        // LoRAs and the Chrome extension are off by default (as in the original); frontend is on: turn it off for this update.
        Assert.False(await page.Locator("[data-component=loras] input[type=checkbox]").IsCheckedAsync());
        Assert.False(await page.Locator("[data-component=chrome_extension] input[type=checkbox]").IsCheckedAsync());
        await page.Locator("[data-component=frontend] input[type=checkbox]").ClickAsync();

        await page.Locator("[data-testid=update]").ClickAsync();
        // A confirmation lists what will change; nothing runs before it is accepted.
        var changes = page.Locator("[data-testid=update-changes]");
        await changes.WaitForAsync();
        var listed = await changes.TextContentAsync();
        Assert.Contains("models:", listed);
        Assert.Contains("→ 2", listed);
        Assert.DoesNotContain("frontend", listed);
        await page.Locator(".mud-dialog button:has-text('Update')").ClickAsync();
        var result = page.Locator("[data-testid=update-result]");
        await result.WaitForAsync();
        Assert.Contains("Updated: models", await result.TextContentAsync());
        Assert.True(File.Exists(Path.Combine(factory.DataDir, "catalogs", "models.json")));
        Assert.False(File.Exists(Path.Combine(factory.DataDir, "frontend", "hello.txt")));
        // Still newer: the frontend (skipped) and loras (off).
        await page.Locator("[data-testid=newer-frontend]").WaitForAsync();

        // The toggles were saved: a new page shows frontend off.
        await page.ReloadAsync();
        await page.Locator("[data-studio-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await page.Locator("[data-component=frontend] input[type=checkbox]").WaitForAsync();
        Assert.False(await page.Locator("[data-component=frontend] input[type=checkbox]").IsCheckedAsync());

        await page.GotoAsync(factory.BaseUrl + "/");
        var banner = page.Locator("[data-testid=update-available]");
        await banner.WaitForAsync();
        Assert.Contains("frontend", await banner.TextContentAsync());
    }

    [Fact]
    public async Task A_release_that_needs_a_newer_runtime_is_shown_as_blocked_and_its_update_changes_nothing()
    {
        // Models are newer there and on by default (whichever test ran before), so Update can be pressed.
        factory.Source.Publish(ReleaseSource.Manifest("0.3.0", 2, ("frontend", "0.3.0"), ("models", 9)), ReleaseSource.AllComponents("blocked"));
        await using var context = await factory.Browser.NewContextAsync();
        var page = await BrowserFactory.NewPageAsync(context);
        await page.GotoAsync(factory.BaseUrl + "/system");
        await factory.SignInAsync(page, "/system");

        await page.Locator("[data-testid=check-updates]").ClickAsync();
        var tooOld = page.Locator("[data-testid=runtime-too-old]");
        await tooOld.WaitForAsync();
        Assert.Contains("This release needs Docker image runtime v2; this install has v1. Pull the new image to update.", await tooOld.TextContentAsync());
        await page.Locator("[data-testid=newer-models]").WaitForAsync();

        await page.Locator("[data-testid=update]").ClickAsync();
        await page.Locator(".mud-dialog button:has-text('Update')").ClickAsync();
        var result = page.Locator("[data-testid=update-result]");
        await result.WaitForAsync();
        Assert.Equal("Update requires Docker image runtime v2 (you have v1)", (await result.TextContentAsync())?.Trim());
        Assert.NotEqual("9", factory.Services.GetRequiredService<ComfyStudio.Services.Versions.LocalVersion>().Read().Component("models")?.VersionText);
        await page.Locator("[data-testid=newer-models]").WaitForAsync(); // still offered once the image is new enough
    }
}
