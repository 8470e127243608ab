using ComfyStudio.Services.Downloads;
using ComfyStudio.Tests.Downloads;
using ComfyStudio.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ComfyStudio.Tests.Downloads;

/// <summary>The Downloads page in a real browser: live progress without reloads, the app bar's indicator, pause and resume, and adding a file by URL.</summary>
public sealed class DownloadsPageTests(DownloadsPageTests.DownloadBrowserFactory factory) : IClassFixture<DownloadsPageTests.DownloadBrowserFactory>
{
    public sealed class DownloadBrowserFactory : FileServerBrowserFactory;

    [Fact]
    public async Task The_page_shows_live_progress_and_the_indicator_follows_from_any_page()
    {
        var file = factory.Files.Add("live.bin", 3_000_000, seed: 71);
        file.BytesPerSecond = 400_000;
        await using var context = await factory.Browser.NewContextAsync();
        var page = await BrowserFactory.NewPageAsync(context);
        await page.GotoAsync(factory.BaseUrl + "/downloads");
        await factory.SignInAsync(page, "/downloads");

        var engine = factory.Services.GetRequiredService<DownloadEngine>();
        var download = await engine.CreateAsync(new DownloadRequest("Live model",
            [new DownloadFileRequest(factory.Files.UrlOf(file.Name), "checkpoints/live.safetensors", file.Size, file.Sha256)]));
        var card = page.Locator($"[data-download-id={download.Id}]");
        await card.WaitForAsync();
        var navigations = 0;
        page.FrameNavigated += (_, _) => navigations++;
        await page.WaitForFunctionAsync($"parseFloat(document.querySelector('[data-download-id={download.Id}] [data-testid=download-progress]')?.dataset.progress ?? '0') > 5");
        var first = await card.Locator("[data-testid=download-progress]").GetAttributeAsync("data-progress");
        await page.WaitForFunctionAsync($"document.querySelector('[data-download-id={download.Id}] [data-testid=download-progress]').dataset.progress !== '{first}'");
        await page.WaitForFunctionAsync("document.querySelector('[data-testid=downloads-indicator]').dataset.active === '1'");
        StringAssert(await card.Locator("[data-testid=download-figures]").TextContentAsync(), "MB/s");

        // Pause and resume from the page.
        await card.Locator("[data-testid=pause]").ClickAsync();
        await page.WaitForFunctionAsync($"document.querySelector('[data-download-id={download.Id}]').dataset.status === 'paused'");
        file.BytesPerSecond = null;
        await card.Locator("[data-testid=resume]").ClickAsync();
        await page.WaitForFunctionAsync($"document.querySelector('[data-download-id={download.Id}]').dataset.status === 'completed'", null, new() { Timeout = 30_000 });
        Assert.Equal(0, navigations);
        await page.WaitForFunctionAsync("document.querySelector('[data-testid=downloads-indicator]').dataset.active === '0'");
        Assert.True(File.Exists(Path.Combine(factory.ComfyUiDir, "models", "checkpoints", "live.safetensors")));

        // On another page the app bar's indicator follows a new download live too.
        await page.GotoAsync(factory.BaseUrl + "/");
        await page.Locator("[data-studio-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        var elsewhere = factory.Files.Add("elsewhere.bin", 3_000_000, seed: 72);
        elsewhere.BytesPerSecond = 100_000;
        var second = await engine.CreateAsync(new DownloadRequest("Elsewhere",
            [new DownloadFileRequest(factory.Files.UrlOf(elsewhere.Name), "checkpoints/elsewhere.safetensors", elsewhere.Size, elsewhere.Sha256)]));
        await page.WaitForFunctionAsync("document.querySelector('[data-testid=downloads-indicator]').dataset.active === '1'");
        await engine.CancelAsync(second.Id);
        await page.WaitForFunctionAsync("document.querySelector('[data-testid=downloads-indicator]').dataset.active === '0'");
    }

    [Fact]
    public async Task A_file_added_by_url_downloads_into_the_chosen_folder()
    {
        var file = factory.Files.Add("byurl.bin", 500_000, seed: 72);
        await using var context = await factory.Browser.NewContextAsync();
        var page = await BrowserFactory.NewPageAsync(context);
        await page.GotoAsync(factory.BaseUrl + "/downloads");
        await factory.SignInAsync(page, "/downloads");

        var url = page.Locator("input[data-testid=add-url], [data-testid=add-url] input");
        var name = page.Locator("input[data-testid=add-file], [data-testid=add-file] input");
        await url.FillAsync(factory.Files.UrlOf(file.Name));
        await url.PressAsync("Tab");
        // Leaving the URL field proposes the file name from the URL; the user then changes it.
        await page.WaitForFunctionAsync("document.querySelector('input[data-testid=add-file], [data-testid=add-file] input').value === 'byurl.bin'");
        await name.FillAsync("byurl.safetensors");
        await page.Locator("input[data-testid=add-sha], [data-testid=add-sha] input").FillAsync(file.Sha256);
        await page.Locator("[data-testid=add-start]").ClickAsync();
        await page.Locator("[data-testid=download][data-status=completed]").Filter(new() { HasText = "byurl.safetensors" }).WaitForAsync(new() { Timeout = 30_000 });
        Assert.True(File.Exists(Path.Combine(factory.ComfyUiDir, "models", "checkpoints", "byurl.safetensors")));
    }

    private static void StringAssert(string? text, string expected) => Assert.Contains(expected, text ?? "");
}
