using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComfyStudio.Services.ComfyUi;
using ComfyStudio.Services.Events;

namespace ComfyStudio.Tests.ComfyUi;

/// <summary>
/// Generations through the studio against a ComfyUI fake that speaks the real protocol: execute, the live progress
/// over ComfyUI's socket, outputs, the studio's own history, ComfyUI's refusals, its restarts, and the studio's.
/// </summary>
public sealed class GenerationTests(GenerationTests.ComfyFactory factory) : IClassFixture<GenerationTests.ComfyFactory>
{
    public sealed class ComfyFactory : StudioFactory, IAsyncLifetime
    {
        public FakeComfyUi ComfyUi { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            ComfyUi = await FakeComfyUi.StartAsync();
            ComfyUi.AutoRun = true;
        }

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["COMFYUI_URL"] = ComfyUi.Url,
            ["ComfyUi:ReconnectMinDelay"] = "00:00:00.050",
            ["ComfyUi:ReconnectMaxDelay"] = "00:00:00.200",
            ["ComfyUi:MaxPending"] = "5",
        };

        public new async Task DisposeAsync()
        {
            await ComfyUi.DisposeAsync();
            await base.DisposeAsync();
        }
    }

    private static JsonObject Graph(string prefix = "gen", int steps = 3, string? extraClass = null) => new()
    {
        ["4"] = new JsonObject { ["class_type"] = "CheckpointLoaderSimple", ["inputs"] = new JsonObject { ["ckpt_name"] = "fake_sd15.safetensors" } },
        ["5"] = new JsonObject { ["class_type"] = "KSampler", ["inputs"] = new JsonObject { ["seed"] = 7, ["steps"] = steps } },
        ["7"] = extraClass is null ? new JsonObject { ["class_type"] = "CheckpointLoaderSimple", ["inputs"] = new JsonObject() }
            : new JsonObject { ["class_type"] = extraClass, ["inputs"] = new JsonObject() },
        ["9"] = new JsonObject { ["class_type"] = "SaveImage", ["inputs"] = new JsonObject { ["filename_prefix"] = prefix } },
    };

    private async Task<HttpClient> ConnectedClientAsync()
    {
        var client = factory.CreateKeyClient();
        var connection = factory.Services.GetRequiredService<ComfyUiConnection>();
        await TestWait.UntilAsync(() => connection.Connected && factory.ComfyUi.Clients.Contains(connection.ClientId), 20, "the studio's socket to ComfyUI");
        return client;
    }

    private static async Task<JsonElement> UntilStatusAsync(HttpClient client, string promptId, string status, int seconds = 20)
    {
        JsonElement body = default;
        await TestWait.UntilAsync(async () =>
        {
            var response = await client.GetAsync($"/api/comfyui/history/{promptId}");
            if (response.StatusCode == HttpStatusCode.NotFound) return false; // not seen yet
            body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return body.GetProperty("status").GetString() == status;
        }, seconds, $"{promptId} to be {status}");
        return body;
    }

    [Fact]
    public async Task Execute_queues_runs_live_and_keeps_the_outputs_in_the_history()
    {
        var client = await ConnectedClientAsync();
        var progress = new List<GenerationProgressed>();
        using var watch = factory.Services.GetRequiredService<EventBus>().Subscribe(e => e is GenerationProgressed, e =>
        {
            lock (progress) progress.Add((GenerationProgressed)e);
            return Task.CompletedTask;
        });

        var response = await client.PostAsJsonAsync("/api/comfyui/execute", new { workflow = Graph("run") });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var queued = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = queued.GetProperty("prompt_id").GetString()!;
        Assert.Equal("queued", queued.GetProperty("status").GetString());
        Assert.True(queued.GetProperty("number").GetDouble() >= 0);
        // ComfyUI got the studio's client id (so its progress comes to the studio's socket) and the id the studio chose.
        var sent = factory.ComfyUi.Received.Last();
        Assert.Equal(factory.Services.GetRequiredService<ComfyUiConnection>().ClientId, sent["client_id"]!.ToString());
        Assert.Equal(id, sent["prompt_id"]!.ToString());

        var done = await UntilStatusAsync(client, id, "completed");
        var image = done.GetProperty("outputs").GetProperty("images")[0];
        Assert.Equal("run_00001_.png".Length, image.GetProperty("filename").GetString()!.Length);
        Assert.Equal("output", image.GetProperty("type").GetString());
        Assert.EndsWith("Z", done.GetProperty("started").GetString());
        Assert.EndsWith("Z", done.GetProperty("completed").GetString());
        Assert.Equal("api", done.GetProperty("source").GetString());
        Assert.True(done.GetProperty("node_outputs").TryGetProperty("9", out _));
        lock (progress)
        {
            Assert.Contains(progress, p => p.PromptId == id && p.Kind == "progress" && p.Node == "5" && p.Value == 3 && p.Max == 3);
            Assert.Contains(progress, p => p.PromptId == id && p.Kind == "executing" && p.Node == "9");
        }

        // The output, through the studio.
        var view = await client.GetAsync($"/api/comfyui/view?filename={image.GetProperty("filename").GetString()}&type=output");
        Assert.Equal(HttpStatusCode.OK, view.StatusCode);
        Assert.Equal("image/png", view.Content.Headers.ContentType!.MediaType);
        Assert.Equal(FakeComfyUi.TinyPng, await view.Content.ReadAsByteArrayAsync());

        var list = await client.GetFromJsonAsync<JsonElement>("/api/comfyui/history?status=completed");
        Assert.Contains(list.GetProperty("history").EnumerateArray(), g => g.GetProperty("prompt_id").GetString() == id);
        Assert.True(list.GetProperty("total").GetInt32() >= 1);

        // Deleting it with its outputs removes the image from ComfyUI's output folder, and nothing outside it.
        var outputDir = Path.Combine(factory.ComfyUiDir, "output");
        Directory.CreateDirectory(outputDir);
        var file = Path.Combine(outputDir, image.GetProperty("filename").GetString()!);
        await File.WriteAllBytesAsync(file, FakeComfyUi.TinyPng);
        var deleted = await (await client.DeleteAsync($"/api/comfyui/history/{id}?outputs=true")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, deleted.GetProperty("files_removed").GetInt32());
        Assert.False(File.Exists(file));
        await ErrorAssert.IsErrorBody(await client.GetAsync($"/api/comfyui/history/{id}"), HttpStatusCode.NotFound, "NOT_FOUND");
        await ErrorAssert.IsErrorBody(await client.DeleteAsync($"/api/comfyui/history/{id}"), HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task The_same_graph_again_is_served_from_ComfyUIs_cache_and_still_has_its_outputs()
    {
        var client = await ConnectedClientAsync();
        async Task<JsonElement> RunAsync()
        {
            var id = (await (await client.PostAsJsonAsync("/api/comfyui/execute", new { workflow = Graph("cache", steps: 1) })).Content.ReadFromJsonAsync<JsonElement>())
                .GetProperty("prompt_id").GetString()!;
            return await UntilStatusAsync(client, id, "completed");
        }
        var first = await RunAsync();
        var again = await RunAsync(); // every node cached: only the output node's `executed` arrives
        Assert.Equal(first.GetProperty("outputs").GetProperty("images")[0].GetProperty("filename").GetString(),
            again.GetProperty("outputs").GetProperty("images")[0].GetProperty("filename").GetString());
    }

    [Fact]
    public async Task ComfyUIs_validation_failure_is_invalid_workflow_with_each_nodes_errors()
    {
        var client = await ConnectedClientAsync();
        var graph = Graph();
        graph["4"]!["inputs"]!["ckpt_name"] = "missing.safetensors";
        var response = await client.PostAsJsonAsync("/api/comfyui/execute", new { workflow = graph });
        var body = await ErrorAssert.IsErrorBody(response, HttpStatusCode.BadRequest, "INVALID_WORKFLOW");
        var node = body.GetProperty("error").GetProperty("details").GetProperty("node_errors")[0];
        Assert.Equal("4", node.GetProperty("node_id").GetString());
        Assert.Equal("CheckpointLoaderSimple", node.GetProperty("class_type").GetString());
        Assert.Equal("ckpt_name", node.GetProperty("input").GetString());
        Assert.Equal("value_not_in_list", node.GetProperty("type").GetString());
        Assert.Contains("missing.safetensors", node.GetProperty("message").GetString());
        // Nothing is left in the history for a prompt ComfyUI refused.
        var list = await client.GetFromJsonAsync<JsonElement>("/api/comfyui/history?per_page=100");
        Assert.DoesNotContain(list.GetProperty("history").EnumerateArray(), g => g.GetProperty("status").GetString() == "queued"
                                                                               && g.GetProperty("source").GetString() == "api"
                                                                               && g.GetProperty("prompt_id").GetString() is { } pid
                                                                               && factory.ComfyUi.Received.All(r => r["prompt_id"]?.ToString() != pid));
    }

    [Theory]
    [InlineData("""{"workflow": {"nodes": [], "links": []}}""", "UI format")]
    [InlineData("""{"workflow": {"1": {"inputs": {}}}}""", "class_type is missing")]
    [InlineData("""{"workflow": {}}""", "no nodes")]
    [InlineData("""{}""", "'workflow' is required")]
    public async Task A_graph_that_is_not_the_API_format_is_refused_before_ComfyUI_sees_it(string body, string says)
    {
        var client = factory.CreateKeyClient();
        var response = await client.PostAsync("/api/comfyui/execute", new StringContent(body, Encoding.UTF8, "application/json"));
        var error = await ErrorAssert.IsErrorBody(response, HttpStatusCode.BadRequest, "INVALID_WORKFLOW");
        Assert.Contains(says, error.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_failing_node_is_recorded_with_its_class_message_and_traceback()
    {
        var client = await ConnectedClientAsync();
        var id = (await (await client.PostAsJsonAsync("/api/comfyui/execute", new { workflow = Graph(extraClass: "RaiseError") }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("prompt_id").GetString()!;
        var failed = await UntilStatusAsync(client, id, "failed");
        var error = failed.GetProperty("error");
        Assert.Equal("7", error.GetProperty("node_id").GetString());
        Assert.Equal("RaiseError", error.GetProperty("node_type").GetString());
        Assert.Contains("Could not detect model type", error.GetProperty("message").GetString());
        Assert.Contains("RuntimeError", error.GetProperty("traceback").GetString());
    }

    [Fact]
    public async Task Interrupt_stops_the_running_generation_and_clearing_cancels_the_waiting_ones()
    {
        var client = await ConnectedClientAsync();
        async Task<string> Queue(JsonObject graph) => (await (await client.PostAsJsonAsync("/api/comfyui/execute", new { workflow = graph }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("prompt_id").GetString()!;
        var running = await Queue(Graph(extraClass: "Wait"));
        await UntilStatusAsync(client, running, "running");
        var waiting = await Queue(Graph());
        var queue = await client.GetFromJsonAsync<JsonElement>("/api/comfyui/queue");
        Assert.Equal(running, queue.GetProperty("queue_running")[0].GetProperty("prompt_id").GetString());
        Assert.Equal(waiting, queue.GetProperty("queue_pending")[0].GetProperty("prompt_id").GetString());
        var health = await client.GetFromJsonAsync<JsonElement>("/api/comfyui/health");
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Equal(1, health.GetProperty("queue").GetProperty("pending").GetInt32());
        Assert.Equal(1, health.GetProperty("queue").GetProperty("running").GetInt32());

        var cleared = await (await client.DeleteAsync("/api/comfyui/queue")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, cleared.GetProperty("cleared").GetInt32());
        Assert.Equal("success", cleared.GetProperty("status").GetString());
        await UntilStatusAsync(client, waiting, "cancelled");

        var interrupted = await (await client.PostAsync("/api/comfyui/interrupt", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("interrupted", interrupted.GetProperty("status").GetString());
        await UntilStatusAsync(client, running, "interrupted");
        await ErrorAssert.IsErrorBody(await client.DeleteAsync("/api/comfyui/queue?type=some"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task At_the_pending_cap_execute_is_queue_full_and_ComfyUI_never_sees_the_prompt()
    {
        var client = await ConnectedClientAsync();
        async Task<HttpResponseMessage> Queue(JsonObject graph) => await client.PostAsJsonAsync("/api/comfyui/execute", new { workflow = graph });
        var running = (await (await Queue(Graph(extraClass: "Wait"))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("prompt_id").GetString()!;
        await UntilStatusAsync(client, running, "running");
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, (await Queue(Graph())).StatusCode); // ComfyUi:MaxPending is 5 here
        var before = factory.ComfyUi.Received.Count;
        var full = await ErrorAssert.IsErrorBody(await Queue(Graph()), HttpStatusCode.InsufficientStorage, "QUEUE_FULL");
        Assert.Equal(5, full.GetProperty("error").GetProperty("details").GetProperty("pending").GetInt32());
        Assert.Equal(before, factory.ComfyUi.Received.Count); // the refused one never reached ComfyUI
        await client.DeleteAsync("/api/comfyui/queue?type=all"); // leave ComfyUI empty for the next test
        await UntilStatusAsync(client, running, "interrupted");
    }

    [Fact]
    public async Task A_prompt_queued_straight_to_ComfyUI_is_recorded_with_its_outcome()
    {
        var client = await ConnectedClientAsync();
        var id = factory.ComfyUi.QueueAsOther(Graph("other"));
        var done = await UntilStatusAsync(client, id, "completed");
        Assert.Equal("comfyui", done.GetProperty("source").GetString());
        Assert.Equal("other", done.GetProperty("outputs").GetProperty("images")[0].GetProperty("filename").GetString()![..5]);
    }

    [Fact]
    public async Task The_live_feed_sends_queue_updates_progress_and_outputs()
    {
        var client = await ConnectedClientAsync();
        var ws = factory.Server.CreateWebSocketClient();
        ws.ConfigureRequest = r => r.Headers["X-API-Key"] = StudioFactory.PrimaryKey;
        using var feed = await ws.ConnectAsync(new Uri(factory.Server.BaseAddress, "/ws"), CancellationToken.None);
        await feed.SendAsync(Encoding.UTF8.GetBytes("""{"type":"subscribe","channels":["queue","workflows"]}"""), WebSocketMessageType.Text, true, CancellationToken.None);
        var types = new List<string>();
        var buffer = new byte[1 << 16];
        using var within = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string? id = null;
        JsonElement output = default;
        while (true)
        {
            var result = await feed.ReceiveAsync(buffer, within.Token);
            var message = JsonDocument.Parse(buffer.AsMemory(0, result.Count)).RootElement;
            var type = message.GetProperty("type").GetString()!;
            types.Add(type);
            if (type == "subscribed")
                id = (await (await client.PostAsJsonAsync("/api/comfyui/execute", new { workflow = Graph("feed") })).Content.ReadFromJsonAsync<JsonElement>())
                    .GetProperty("prompt_id").GetString();
            if (type == "workflow_output") { output = message.GetProperty("data"); break; }
        }
        Assert.Contains("queue_update", types);
        Assert.Contains("workflow_progress", types);
        Assert.Equal(id, output.GetProperty("prompt_id").GetString());
        Assert.StartsWith("feed_", output.GetProperty("output").GetProperty("images")[0].GetProperty("filename").GetString());
    }

    [Theory]
    [InlineData("filename=../secret.png")]
    [InlineData("filename=/etc/passwd")]
    [InlineData("filename=a.png&subfolder=../../etc")]
    [InlineData("filename=a.png&subfolder=/abs")]
    [InlineData("filename=a.png&type=models")]
    [InlineData("filename=sub/a.png")]
    [InlineData("type=output")]
    public async Task View_refuses_names_and_folders_that_climb_out(string query)
    {
        var response = await factory.CreateKeyClient().GetAsync("/api/comfyui/view?" + query);
        await ErrorAssert.IsErrorBody(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task View_of_a_missing_file_is_a_404()
    {
        var response = await factory.CreateKeyClient().GetAsync("/api/comfyui/view?filename=none.png");
        await ErrorAssert.IsErrorBody(response, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task An_unknown_generation_is_a_404()
    {
        var response = await factory.CreateKeyClient().GetAsync("/api/comfyui/history/no-such-prompt");
        await ErrorAssert.IsErrorBody(response, HttpStatusCode.NotFound, "NOT_FOUND");
    }
}
