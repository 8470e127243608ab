using ComfyStudio.Services.Presets;
using ComfyStudio.Tests.Presets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ComfyStudio.Tests.Presets;

/// <summary>The Presets page in a real browser: find a small preset, install it, watch it become installed, look at its files, uninstall it.</summary>
public sealed class PresetsPageTests(PresetsPageTests.PresetBrowserFactory factory) : IClassFixture<PresetsPageTests.PresetBrowserFactory>
{
    public sealed class PresetBrowserFactory : FileServerBrowserFactory
    {
        public string RegistrySource => Path.Combine(DataDir, "registry-source");

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["REGISTRY_URL"] = RegistrySource,
        };
    }

    [Fact]
    public async Task Sync_now_reads_the_registry_and_the_page_shows_when()
    {
        var file = factory.Files.Add("sync-page.bin", 100_000, seed: 83);
        TestRegistry.Write(factory.RegistrySource, factory.Files,
            new TestPreset("sync-one", "Sync One", "1.0.0", "image", 4, new TestPresetFile(file, "vae/sync-one.safetensors")),
            new TestPreset("sync-two", "Sync Two", "1.0.0", "image", 4, new TestPresetFile(file, "vae/sync-two.safetensors")));
        await using var context = await factory.Browser.NewContextAsync();
        var page = await BrowserFactory.NewPageAsync(context);
        await page.GotoAsync(factory.BaseUrl + "/presets");
        await factory.SignInAsync(page, "/presets");
        await page.Locator("[data-testid=sync-registry]").ClickAsync();
        await page.WaitForFunctionAsync("(document.querySelector('[data-testid=registry-line]')?.textContent ?? '').includes('2 presets from the registry, synced')");
    }

    [Fact]
    public async Task A_small_preset_installs_from_the_page_and_becomes_installed()
    {
        var vae = factory.Files.Add("tiny-vae.bin", 800_000, seed: 81);
        vae.BytesPerSecond = 300_000;
        var lora = factory.Files.Add("tiny-lora.bin", 300_000, seed: 82);
        TestRegistry.Write(factory.RegistrySource, factory.Files,
            new TestPreset("tiny-browser", "Tiny Browser Preset", "1.0.0", "image", 4,
                new TestPresetFile(vae, "vae/tiny-browser.safetensors", WithSha: true),
                new TestPresetFile(lora, "loras/tiny-browser.safetensors")));
        Assert.Equal(1, await factory.Services.GetRequiredService<RegistrySync>().RunAsync(CancellationToken.None));

        await using var context = await factory.Browser.NewContextAsync();
        var page = await BrowserFactory.NewPageAsync(context);
        await page.GotoAsync(factory.BaseUrl + "/presets");
        await factory.SignInAsync(page, "/presets");

        await page.Locator("input[data-testid=preset-search], [data-testid=preset-search] input").FillAsync("tiny browser");
        var card = page.Locator("[data-testid=preset][data-preset-id=tiny-browser]");
        await card.WaitForAsync();
        Assert.Equal("1 of 1 presets", (await page.Locator("[data-testid=preset-count]").TextContentAsync())?.Trim());
        Assert.Equal("not_installed", await card.GetAttributeAsync("data-status"));
        StringAssert(await card.Locator("[data-testid=preset-fit]").TextContentAsync(), "Fit unknown"); // no GPU here

        await card.Locator("[data-testid=install]").ClickAsync();
        var dialog = page.Locator(".mud-dialog");
        StringAssert(await dialog.TextContentAsync(), "to download");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Install", Exact = true }).ClickAsync();
        await page.WaitForFunctionAsync("document.querySelector('[data-preset-id=tiny-browser]')?.dataset.status === 'installing'");
        // The drawer's file states are live: the slow file reads downloading while it arrives, not queued.
        await card.Locator("[data-testid=preset-details]").ClickAsync();
        await page.Locator("[data-testid=preset-file][data-state=downloading]").First.WaitForAsync();
        await page.Locator("[data-testid=preset-file][data-state=installed]").First.WaitForAsync(new() { Timeout = 45_000 });
        await page.Locator("[data-testid=preset-drawer] button[aria-label=Close]").ClickAsync();
        await page.WaitForFunctionAsync("document.querySelector('[data-preset-id=tiny-browser]')?.dataset.status === 'installed'", null, new() { Timeout = 45_000 });
        Assert.True(File.Exists(Path.Combine(factory.ComfyUiDir, "models", "vae", "tiny-browser.safetensors")));

        // The drawer lists the files, each verified.
        await card.Locator("[data-testid=preset-details]").ClickAsync();
        var files = page.Locator("[data-testid=preset-file]");
        await files.First.WaitForAsync();
        Assert.Equal(2, await files.CountAsync());
        Assert.Equal(2, await page.Locator("[data-testid=preset-file][data-state=installed]").CountAsync());
        // Each file on disk links to its row on the Models page.
        var hrefs = await page.Locator("[data-testid=preset-file] [data-testid=model-link]").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        Assert.Contains("/models?search=vae%2Ftiny-browser.safetensors", hrefs);

        // Uninstall from the drawer, with the space it frees in the confirmation.
        await page.Locator("[data-testid=drawer-uninstall]").ClickAsync();
        var confirm = page.Locator(".mud-dialog");
        StringAssert(await confirm.TextContentAsync(), "2 file(s)");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Uninstall", Exact = true }).ClickAsync();
        await page.WaitForFunctionAsync("document.querySelector('[data-preset-id=tiny-browser]')?.dataset.status === 'not_installed'");
        Assert.False(File.Exists(Path.Combine(factory.ComfyUiDir, "models", "vae", "tiny-browser.safetensors")));
    }

    private static void StringAssert(string? text, string expected) => Assert.True(text?.Contains(expected) == true, $"'{expected}' not in '{text}'");
}
