using System.Text.Json.Nodes;
using ComfyStudio.Tests.ComfyUi;
using Microsoft.Playwright;

namespace ComfyStudio.Tests.Workflows;

/// <summary>The Workflows page in Chromium: the library with its readiness, import (file, PNG, paste), search, run, delete.</summary>
public sealed class WorkflowsPageTests : IClassFixture<QueueHistoryPageTests.ComfyBrowserFactory>
{
    private readonly QueueHistoryPageTests.ComfyBrowserFactory _factory;

    public WorkflowsPageTests(QueueHistoryPageTests.ComfyBrowserFactory factory)
    {
        _factory = factory;
        foreach (var (name, entry) in WorkflowConverterTests.Read("object_info.json")) factory.ComfyUi.Classes[name] = entry?.DeepClone();
    }

    private ILocator Card(IPage page, string name) => page.GetByTestId("workflow").Filter(new() { HasText = name });

    [Fact]
    public async Task The_library_imports_runs_turns_ready_when_its_model_arrives_and_deletes()
    {
        // ComfyUI restarts with the real node classes (the fixture started with a few): the studio reads its node list again.
        var connection = _factory.Services.GetRequiredService<Services.ComfyUi.ComfyUiConnection>();
        await TestWait.UntilAsync(() => connection.Connected, 20, "the studio's socket to ComfyUI");
        var catalog = _factory.Services.GetRequiredService<Services.Workflows.NodeCatalog>();
        if ((await catalog.GetAsync()).Find("CLIPTextEncode") is null) await _factory.ComfyUi.RestartAsync();
        await TestWait.UntilAsync(async () => (await catalog.GetAsync()).Find("CLIPTextEncode") is not null, 20, "the node list to be read again");
        await using var context = await _factory.Browser.NewContextAsync();
        var page = await BrowserFactory.NewPageAsync(context);
        await page.GotoAsync(_factory.BaseUrl + "/workflows");
        await _factory.SignInAsync(page, "/workflows");
        await page.Locator("[data-studio-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });

        // The registry's templates: read-only, each saying what it misses.
        var flux = Card(page, "FLUX Schnell Basic");
        await Assertions.Expect(flux.GetByTestId("readiness")).ToContainTextAsync("missing");
        await Assertions.Expect(flux.GetByTestId("install-missing")).ToBeVisibleAsync();
        await Assertions.Expect(flux.GetByTestId("delete")).ToHaveCountAsync(0);

        // Import a JSON file: it needs a checkpoint that is not on disk yet.
        var graph = WorkflowValidatorTests.Graph();
        graph["4"]!["inputs"]!["ckpt_name"] = "page/arrives.safetensors";
        var file = Path.Combine(_factory.DataDir, "Bottle page.json");
        await File.WriteAllTextAsync(file, graph.ToJsonString());
        await page.Locator("input[type=file]").Last.SetInputFilesAsync(file);
        var bottle = Card(page, "Bottle page");
        await Assertions.Expect(bottle.GetByTestId("readiness")).ToContainTextAsync("1 model missing");
        await Assertions.Expect(bottle.GetByTestId("missing-models")).ToContainTextAsync("checkpoints/page/arrives.safetensors");

        // The file arrives on disk: the card turns ready by itself.
        var checkpoint = Path.Combine(_factory.ComfyUiDir, "models", "checkpoints", "page", "arrives.safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(checkpoint)!);
        await File.WriteAllBytesAsync(checkpoint, Models.ModelLibraryTests.Safetensors());
        await Assertions.Expect(bottle.GetByTestId("readiness")).ToHaveAttributeAsync("data-ready", "true", new() { Timeout = 20_000 });

        // Run: converted, checked and queued; ComfyUI receives the graph with a new seed.
        var before = _factory.ComfyUi.Received.Count;
        await bottle.GetByTestId("run").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-snackbar", new() { HasText = "Bottle page queued" })).ToBeVisibleAsync();
        await TestWait.UntilAsync(() => _factory.ComfyUi.Received.Count > before, 10, "ComfyUI to receive the prompt");
        var sent = _factory.ComfyUi.Received.Last()["prompt"]!;
        Assert.Equal("page/arrives.safetensors", sent["4"]!["inputs"]!["ckpt_name"]!.GetValue<string>());
        Assert.NotEqual(1L, sent["3"]!["inputs"]!["seed"]!.GetValue<long>());

        // A PNG ComfyUI saved brings its UI-format workflow.
        var png = Path.Combine(_factory.DataDir, "Saved by ComfyUI.png");
        await File.WriteAllBytesAsync(png, PngImportTests.ComfyPng(null, WorkflowConverterTests.Read("default_sd15_txt2img.ui.json").ToJsonString()));
        await page.Locator("input[type=file]").Last.SetInputFilesAsync(png);
        await Assertions.Expect(Card(page, "Saved by ComfyUI")).ToContainTextAsync("UI format");

        // Paste: text that is no workflow is refused with the reason; a workflow is saved under the name given.
        await page.GetByTestId("paste-button").ClickAsync();
        await page.Locator("textarea[data-testid=paste-text], [data-testid=paste-text] textarea").FillAsync("{\"not\": \"a workflow\"}");
        await page.GetByTestId("paste-save").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-snackbar-content-message").Last).ToContainTextAsync("class_type");
        await page.Locator("input[data-testid=paste-name], [data-testid=paste-name] input").FillAsync("Pasted bottle");
        await page.Locator("textarea[data-testid=paste-text], [data-testid=paste-text] textarea").FillAsync(graph.ToJsonString());
        await page.GetByTestId("paste-save").ClickAsync();
        await Assertions.Expect(Card(page, "Pasted bottle")).ToBeVisibleAsync();

        // The category and the search narrow the list.
        await page.GetByTestId("workflow-categories").GetByText("Imported (").ClickAsync();
        await Assertions.Expect(page.GetByTestId("workflow")).ToHaveCountAsync(3);
        await page.Locator("input[data-testid=workflow-search], [data-testid=workflow-search] input").FillAsync("bottle");
        await Assertions.Expect(page.GetByTestId("workflow")).ToHaveCountAsync(2);

        // Delete asks first, and a template has no delete.
        await Card(page, "Pasted bottle").GetByTestId("delete").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Assertions.Expect(Card(page, "Pasted bottle")).ToHaveCountAsync(0);
        Assert.False(File.Exists(Path.Combine(_factory.DataDir, "workflows", "user", "pasted_bottle.json")));
    }
}
