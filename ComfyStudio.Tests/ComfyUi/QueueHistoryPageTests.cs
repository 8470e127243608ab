using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace ComfyStudio.Tests.ComfyUi;

/// <summary>The Queue and History pages in Chromium, with a generation moving live through the ComfyUI fake.</summary>
public sealed class QueueHistoryPageTests(QueueHistoryPageTests.ComfyBrowserFactory factory) : IClassFixture<QueueHistoryPageTests.ComfyBrowserFactory>
{
    public sealed class ComfyBrowserFactory : BrowserFactory
    {
        public FakeComfyUi ComfyUi { get; private set; } = null!;

        public override async Task InitializeAsync()
        {
            ComfyUi = await FakeComfyUi.StartAsync();
            ComfyUi.AutoRun = true;
            await base.InitializeAsync();
        }

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["COMFYUI_URL"] = ComfyUi.Url,
            ["ComfyUi:ReconnectMinDelay"] = "00:00:00.050",
            ["ComfyUi:ReconnectMaxDelay"] = "00:00:00.200",
        };

        public override async Task DisposeAsync()
        {
            await ComfyUi.DisposeAsync();
            await base.DisposeAsync();
        }
    }

    private static JsonObject Graph(string name, string holdClass = "Wait") => new()
    {
        ["3"] = new JsonObject { ["class_type"] = "KSampler", ["inputs"] = new JsonObject { ["seed"] = 42, ["steps"] = 4 }, ["_meta"] = new JsonObject { ["title"] = "Sampler" } },
        ["5"] = new JsonObject { ["class_type"] = holdClass, ["inputs"] = new JsonObject() },
        ["9"] = new JsonObject { ["class_type"] = "SaveImage", ["inputs"] = new JsonObject { ["filename_prefix"] = name } },
    };

    [Fact]
    public async Task The_queue_shows_the_run_live_and_the_history_its_image_and_settings()
    {
        var connection = factory.Services.GetRequiredService<Services.ComfyUi.ComfyUiConnection>();
        await TestWait.UntilAsync(() => connection.Connected, 20, "the studio's socket to ComfyUI");
        await using var context = await factory.Browser.NewContextAsync();
        var page = await BrowserFactory.NewPageAsync(context);
        await page.GotoAsync(factory.BaseUrl + "/queue");
        await factory.SignInAsync(page, "/queue");
        await page.GetByTestId("nothing-running").WaitForAsync();

        // ComfyUI goes away and comes back: the page says so, and recovers by itself.
        await factory.ComfyUi.StopAsync();
        var slow = new LocatorAssertionsToBeVisibleOptions { Timeout = 20_000 }; // the whole suite runs beside it
        await Assertions.Expect(page.GetByTestId("comfyui-down")).ToBeVisibleAsync(slow);
        await factory.ComfyUi.ListenAsync(new Uri(factory.ComfyUi.Url).Port);
        await Assertions.Expect(page.GetByTestId("comfyui-down")).ToHaveCountAsync(0, new() { Timeout = 20_000 });
        await TestWait.UntilAsync(() => connection.Connected, 20, "the socket to reopen");

        using var client = new HttpClient { BaseAddress = new Uri(factory.BaseUrl) };
        client.DefaultRequestHeaders.Add("X-API-Key", StudioFactory.PrimaryKey);
        var running = (await (await client.PostAsJsonAsync("/api/comfyui/execute", new { workflow = Graph("page"), name = "Portrait" }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("prompt_id").GetString()!;
        var waiting = (await (await client.PostAsJsonAsync("/api/comfyui/execute", new { workflow = Graph("next", holdClass: "SaveImage") }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("prompt_id").GetString()!;

        // Live over the circuit: the running prompt by its name, the node it is on, and the one waiting behind it.
        await Assertions.Expect(page.GetByTestId("running-prompt")).ToContainTextAsync("Portrait");
        await Assertions.Expect(page.GetByTestId("running-node")).ToContainTextAsync("Node 5");
        await Assertions.Expect(page.GetByTestId("pending-row")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("live-preview")).ToBeVisibleAsync();

        // Cancel the waiting one from the page; let the running one finish.
        await page.GetByTestId("pending-row").GetByRole(AriaRole.Button).ClickAsync();
        await Assertions.Expect(page.GetByTestId("nothing-waiting")).ToBeVisibleAsync();
        factory.ComfyUi.Release();
        await Assertions.Expect(page.GetByTestId("nothing-running")).ToBeVisibleAsync();

        var generations = factory.Services.GetRequiredService<Services.ComfyUi.Generations>();
        await TestWait.UntilAsync(async () => (await generations.GetAsync(running))!.Status == "completed", 20, "the run to complete");
        var cancelled = (await generations.GetAsync(waiting))!;
        Assert.True(cancelled.Status == "cancelled", $"{cancelled.Status}: {cancelled.Error}");
        await page.GotoAsync(factory.BaseUrl + "/history");
        var card = page.GetByTestId("generation").Filter(new() { HasText = "Portrait" });
        await Assertions.Expect(card).ToHaveAttributeAsync("data-status", "completed");
        await Assertions.Expect(page.Locator($"[data-testid=generation][data-status=cancelled]")).ToHaveCountAsync(1);
        var thumbnail = card.GetByTestId("thumbnail");
        await Assertions.Expect(thumbnail).ToBeVisibleAsync();
        Assert.True(await thumbnail.EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 0"), "the thumbnail loads through the studio");
        await card.GetByTestId("open").ClickAsync();
        var detail = page.GetByTestId("generation-detail");
        await Assertions.Expect(detail).ToContainTextAsync("seed");
        await Assertions.Expect(detail).ToContainTextAsync("42");

        // The graph it ran becomes a workflow of the library, open in the editor.
        await page.Locator(".mud-dialog .mud-button-close").ClickAsync();
        await Assertions.Expect(detail).ToHaveCountAsync(0);
        await card.GetByTestId("save-as-workflow").ClickAsync();
        await page.WaitForURLAsync("**/workflows/portrait*");
        await Assertions.Expect(page.GetByTestId("graph-node")).ToHaveCountAsync(3);
    }
}
