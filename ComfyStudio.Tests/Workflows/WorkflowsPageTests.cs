using System.Text.Json.Nodes;
using ComfyStudio.Tests.ComfyUi;
using ComfyStudio.Services.Workflows;
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

    /// <summary>ComfyUI restarts with the real node classes (the fixture started with a few): the studio reads its node list again.</summary>
    private async Task RealNodeListAsync()
    {
        var connection = _factory.Services.GetRequiredService<Services.ComfyUi.ComfyUiConnection>();
        await TestWait.UntilAsync(() => connection.Connected, 20, "the studio's socket to ComfyUI");
        var catalog = _factory.Services.GetRequiredService<NodeCatalog>();
        if ((await catalog.GetAsync()).Find("CLIPTextEncode") is null) await _factory.ComfyUi.RestartAsync();
        await TestWait.UntilAsync(async () => (await catalog.GetAsync()).Find("CLIPTextEncode") is not null, 20, "the node list to be read again");
        await TestWait.UntilAsync(() => connection.Connected, 20, "the socket to reopen");
    }

    /// <summary>A mouse drag from the middle of one element to the middle of another, in steps (the canvas follows pointer moves).</summary>
    private static async Task DragAsync(IPage page, ILocator from, ILocator to)
    {
        var a = (await from.BoundingBoxAsync())!;
        var b = (await to.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(a.X + a.Width / 2, a.Y + a.Height / 2);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(b.X + b.Width / 2, b.Y + b.Height / 2, new() { Steps = 12 });
        await page.Mouse.UpAsync();
    }

    private ILocator Card(IPage page, string name) => page.GetByTestId("workflow").Filter(new() { HasText = name });

    [Fact]
    public async Task The_library_imports_runs_turns_ready_when_its_model_arrives_and_deletes()
    {
        await RealNodeListAsync();
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

    [Fact]
    public async Task The_editor_opens_a_template_shows_an_error_as_you_edit_saves_a_copy_and_runs_it_to_its_output()
    {
        await RealNodeListAsync();
        var template = WorkflowValidatorTests.Graph();
        template["_meta"] = new JsonObject { ["title"] = "Editor bottle", ["category"] = "Tests" };
        template["9"]!["inputs"]!["filename_prefix"] = "editor";
        var folder = Path.Combine(_factory.DataDir, "workflows", "templates");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "editor_bottle.json"), template.ToJsonString());

        await using var context = await _factory.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var page = await BrowserFactory.NewPageAsync(context);
        await page.GotoAsync(_factory.BaseUrl + "/workflows/editor_bottle");
        await _factory.SignInAsync(page, "/workflows/editor_bottle");
        await page.Locator("[data-studio-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });

        // The graph: every node, laid out, with its links and typed fields.
        var nodes = page.GetByTestId("graph-node");
        await Assertions.Expect(nodes).ToHaveCountAsync(7);
        await Assertions.Expect(page.Locator(".diagram-link")).ToHaveCountAsync(9);
        var sampler = page.Locator("[data-testid=graph-node][data-node-id='3']");
        await Assertions.Expect(sampler).ToContainTextAsync("KSampler");
        await Assertions.Expect(page.GetByTestId("editor-valid")).ToBeVisibleAsync();

        // A value out of range: the error shows on its node and field as you edit.
        var steps = sampler.Locator("[data-testid=field-steps] input");
        await steps.FillAsync("0");
        await steps.PressAsync("Tab");
        await Assertions.Expect(sampler).ToHaveAttributeAsync("data-errors", "1");
        await Assertions.Expect(sampler.Locator("[data-testid=field-steps] [data-testid=field-error]")).ToContainTextAsync("minimum");
        await Assertions.Expect(page.GetByTestId("editor-error-count")).ToContainTextAsync("1 error");

        // Fixed: no errors.
        await steps.FillAsync("4");
        await steps.PressAsync("Tab");
        await Assertions.Expect(sampler).ToHaveAttributeAsync("data-errors", "0");
        await Assertions.Expect(page.GetByTestId("editor-valid")).ToBeVisibleAsync();

        // Undo brings the last value back; redo the fix.
        await page.GetByTestId("editor-undo").ClickAsync();
        await Assertions.Expect(sampler).ToHaveAttributeAsync("data-errors", "1");
        await page.GetByTestId("editor-redo").ClickAsync();
        await Assertions.Expect(sampler).ToHaveAttributeAsync("data-errors", "0");

        // A template is saved as a copy, under a new name; the copy opens in the editor.
        await page.GetByTestId("editor-save").ClickAsync();
        await page.Locator("input[data-testid=save-as-name], [data-testid=save-as-name] input").FillAsync("My bottle");
        await page.GetByTestId("save-as-confirm").ClickAsync();
        await page.WaitForURLAsync("**/workflows/my_bottle");
        var saved = _factory.Services.GetRequiredService<WorkflowLibrary>().Get("my_bottle").Workflow;
        Assert.Equal(4, saved["3"]!["inputs"]!["steps"]!.GetValue<int>());
        Assert.NotNull(saved["3"]!["_meta"]!["pos"]); // the layout is kept with it

        // Run: ComfyUI receives it, the output shows under the SaveImage node.
        await Assertions.Expect(page.GetByTestId("graph-node")).ToHaveCountAsync(7);
        await page.GetByTestId("editor-run").ClickAsync();
        var output = page.Locator("[data-testid=graph-node][data-node-id='9'] [data-testid=node-output]");
        await Assertions.Expect(output).ToBeVisibleAsync(new() { Timeout = 20_000 });
        Assert.StartsWith("editor", await output.GetAttributeAsync("src") is { } src ? Uri.UnescapeDataString(src.Split("filename=")[1]) : "");
        Assert.True(await output.EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 0"), "the output image loads");
    }

    [Fact]
    public async Task The_editor_adds_a_node_and_its_JSON_view_follows_the_graph_and_back()
    {
        await RealNodeListAsync();
        var graph = WorkflowValidatorTests.Graph();
        var id = _factory.Services.GetRequiredService<WorkflowLibrary>().Save("Json bottle", "Tests", null, graph).Id;
        await using var context = await _factory.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var page = await BrowserFactory.NewPageAsync(context);
        await page.GotoAsync(_factory.BaseUrl + $"/workflows/{id}");
        await _factory.SignInAsync(page, $"/workflows/{id}");
        await page.Locator("[data-studio-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await Assertions.Expect(page.GetByTestId("graph-node")).ToHaveCountAsync(7);

        // Add a node from the searchable list of ComfyUI's classes.
        await page.Locator("input[data-testid=editor-add-node], [data-testid=editor-add-node] input").FillAsync("VAELoader");
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "VAELoader" }).First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("graph-node")).ToHaveCountAsync(8);
        await Assertions.Expect(page.Locator("[data-testid=graph-node][data-class=VAELoader]")).ToBeVisibleAsync();

        // Drag a link from its VAE output to the decoder's vae input: it replaces the checkpoint's; a MODEL input refuses it.
        var vaeOut = page.Locator("[data-testid=graph-node][data-class=VAELoader] .diagram-port.right").First;
        await DragAsync(page, vaeOut, page.Locator("[data-testid=graph-node][data-node-id='8'] .studio-socket-row", new() { HasText = "vae" }).Locator(".diagram-port"));
        await Assertions.Expect(page.Locator(".diagram-link")).ToHaveCountAsync(9); // one more, one replaced
        await DragAsync(page, vaeOut, page.Locator("[data-testid=graph-node][data-node-id='3'] .studio-socket-row", new() { HasText = "model" }).Locator(".diagram-port"));
        await Assertions.Expect(page.Locator(".diagram-link")).ToHaveCountAsync(9);

        // The JSON view shows it in a code editor; an edit there comes back to the graph.
        await page.GetByTestId("editor-view").GetByText("JSON").ClickAsync();
        await page.Locator(".monaco-editor[role=code]").WaitForAsync(new() { Timeout = 20_000 });
        var text = await page.EvaluateAsync<string>("() => monaco.editor.getModels()[0].getValue()");
        var shown = JsonNode.Parse(text)!.AsObject();
        Assert.Equal("VAELoader", shown["10"]!["class_type"]!.ToString());
        Assert.Equal("10", shown["8"]!["inputs"]!["vae"]![0]!.ToString());
        Assert.Equal("4", shown["3"]!["inputs"]!["model"]![0]!.ToString());
        shown.Remove("10");
        shown["8"]!["inputs"]!["vae"] = new JsonArray("4", 2);
        shown["3"]!["inputs"]!["steps"] = 0; // and an error the graph will show
        await page.EvaluateAsync("t => monaco.editor.getModels()[0].setValue(t)", shown.ToJsonString());
        await Assertions.Expect(page.GetByTestId("editor-error-count")).ToContainTextAsync("1 error");
        await page.EvaluateAsync("() => monaco.editor.getModels()[0].setValue('{ not json')");
        await Assertions.Expect(page.GetByTestId("json-error")).ToContainTextAsync("Not valid JSON");

        await page.GetByTestId("editor-view").GetByText("Graph").ClickAsync();
        await Assertions.Expect(page.GetByTestId("graph-node")).ToHaveCountAsync(7);
        await Assertions.Expect(page.Locator("[data-testid=graph-node][data-node-id='3']")).ToHaveAttributeAsync("data-errors", "1");
        await Assertions.Expect(page.Locator("[data-testid=graph-node][data-node-id='3'] [data-testid=field-steps] [data-testid=field-error]")).ToBeVisibleAsync();

        // Select the empty latent and delete it: its link goes, and the sampler says what it now lacks; undo brings both back.
        await page.Locator("[data-testid=graph-node][data-node-id='5'] .studio-graph-node-title").ClickAsync();
        await page.Keyboard.PressAsync("Delete");
        await Assertions.Expect(page.GetByTestId("graph-node")).ToHaveCountAsync(6);
        await Assertions.Expect(page.Locator(".diagram-link")).ToHaveCountAsync(8);
        await Assertions.Expect(page.Locator("[data-testid=graph-node][data-node-id='3']")).ToHaveAttributeAsync("data-errors", "2"); // steps, and latent_image missing
        await page.GetByTestId("editor-undo").ClickAsync();
        await Assertions.Expect(page.GetByTestId("graph-node")).ToHaveCountAsync(7);
        await Assertions.Expect(page.Locator(".diagram-link")).ToHaveCountAsync(9);

        // Typing Delete in a field edits the text, not the graph.
        var prompt = page.Locator("[data-testid=graph-node][data-node-id='6'] textarea").First;
        await prompt.ClickAsync();
        await page.Keyboard.PressAsync("End");
        await page.Keyboard.PressAsync("Backspace");
        await page.Keyboard.PressAsync("Delete");
        await Assertions.Expect(page.GetByTestId("graph-node")).ToHaveCountAsync(7);
    }
}
