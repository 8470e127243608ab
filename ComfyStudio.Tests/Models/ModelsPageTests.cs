using ComfyStudio.Web.Components.Pages;
using Microsoft.Playwright;

namespace ComfyStudio.Tests.Models;

/// <summary>The Models page in Chromium: folders with counts, search, a broken file flagged, and a delete with its confirmation.</summary>
public sealed class ModelsPageTests(BrowserFactory factory) : IClassFixture<BrowserFactory>
{
    private void Write(string relative, byte[] bytes)
    {
        var path = Path.Combine(factory.ComfyUiDir, "models", relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public async Task Filter_search_see_a_broken_file_and_delete_with_confirmation()
    {
        Write("checkpoints/page-base.safetensors", ModelLibraryTests.Safetensors(new Dictionary<string, string> { ["modelspec.architecture"] = "flux-1-dev" }));
        Write("checkpoints/page-broken.safetensors", ModelLibraryTests.Safetensors()[..^3]);
        Write("loras/page-style.safetensors", ModelLibraryTests.Safetensors());
        var library = factory.Services.GetRequiredService<ComfyStudio.Services.Models.ModelLibrary>();
        await TestWait.UntilAsync(async () => (await library.ListAsync()).Count(f => f.Path.Contains("page-")) == 3, 10, "the index to see the files");
        await using var context = await factory.Browser.NewContextAsync();
        var page = await BrowserFactory.NewPageAsync(context);
        await page.GotoAsync(factory.BaseUrl + "/models");
        await factory.SignInAsync(page, "/models");

        await page.Locator("input[data-testid=model-search], [data-testid=model-search] input").FillAsync("page-");
        var rows = page.GetByTestId("model-row");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("[data-path='checkpoints/page-base.safetensors']")).ToContainTextAsync("flux-1-dev");
        await Assertions.Expect(page.Locator("[data-path='checkpoints/page-broken.safetensors']").GetByTestId("model-broken")).ToBeVisibleAsync();

        await Assertions.Expect(page.GetByTestId("storage")).ToContainTextAsync("free on the volume");
        await Assertions.Expect(page.GetByTestId("storage")).ToContainTextAsync("LoRAs");
        await page.GetByTestId("model-types").GetByText("LoRAs").ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await page.GetByTestId("model-types").GetByText("All (").ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(3);

        await page.Locator("[data-path='checkpoints/page-broken.safetensors']").Locator("input[type=checkbox]").CheckAsync();
        await page.GetByTestId("delete-selected").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        Assert.False(File.Exists(Path.Combine(factory.ComfyUiDir, "models", "checkpoints", "page-broken.safetensors")));
        Assert.True(File.Exists(Path.Combine(factory.ComfyUiDir, "models", "checkpoints", "page-base.safetensors")));

        // The full check runs as a job and reports back on the page.
        await page.GetByTestId("full-check").ClickAsync();
        await Assertions.Expect(page.GetByTestId("check-result")).ToContainTextAsync("Checked", new() { Timeout = 30_000 });

        // Many files: fifty rows a page, paged from the index; sorting by size brings the largest first.
        for (var i = 0; i < 55; i++) Write($"upscale_models/bulk-{i:00}.safetensors", ModelLibraryTests.Safetensors(floatsEach: i == 42 ? 4096 : 16));
        await TestWait.UntilAsync(async () => (await library.PageAsync(null, "bulk-", new(1, 100))).Total == 55, 10, "the index to see the bulk files");
        await page.GotoAsync(factory.BaseUrl + "/models?search=bulk-");
        await page.Locator("[data-studio-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached }); // interactive, not the prerender
        await Assertions.Expect(rows).ToHaveCountAsync(ModelsPage.PerPage);
        await Assertions.Expect(page.GetByTestId("model-count")).ToContainTextAsync("1–50 of 55");
        await Assertions.Expect(page.GetByTestId("storage-chart")).ToBeVisibleAsync();
        await page.GetByTestId("model-pages").Locator("button", new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^\\s*2\\s*$") }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(5);
        await page.GetByTestId("sort-size").ClickAsync();
        await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-path", "upscale_models/bulk-42.safetensors");
        await Assertions.Expect(rows).ToHaveCountAsync(ModelsPage.PerPage); // a new order starts at the first page

        // A link from the Presets page lands on the file's row.
        await page.GotoAsync(factory.BaseUrl + "/models?search=checkpoints%2Fpage-base.safetensors");
        await Assertions.Expect(page.GetByTestId("model-row")).ToHaveCountAsync(1);
    }
}
