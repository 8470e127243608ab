using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComfyStudio.Tests.ComfyUi;

namespace ComfyStudio.Tests.Workflows;

/// <summary>The Dashboard API's workflow routes against a fake ComfyUI that serves real <c>/object_info</c> entries.</summary>
public sealed class WorkflowApiTests : IClassFixture<GenerationTests.ComfyFactory>
{
    private readonly GenerationTests.ComfyFactory _factory;
    private readonly HttpClient _client;

    public WorkflowApiTests(GenerationTests.ComfyFactory factory)
    {
        _factory = factory;
        foreach (var (name, entry) in WorkflowConverterTests.Read("object_info.json"))
            factory.ComfyUi.Classes[name] = entry?.DeepClone();
        _client = factory.CreateKeyClient();
    }

    private static JsonObject SoundGraph() => WorkflowValidatorTests.Graph();

    private async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public async Task The_library_lists_the_registry_templates_read_only()
    {
        var list = await Json(await _client.GetAsync("/api/workflows?search=flux"));
        var flux = list.GetProperty("workflows").EnumerateArray().Single(w => w.GetProperty("id").GetString() == "flux_schnell_basic");
        Assert.True(flux.GetProperty("template").GetBoolean());
        Assert.Equal("Image Generation", flux.GetProperty("category").GetString());
        Assert.Equal("FLUX_SCHNELL", flux.GetProperty("preset").GetString());
        Assert.Equal("registry/workflows/image/flux_schnell_basic.json", flux.GetProperty("path").GetString());
        Assert.False(flux.GetProperty("ready").GetBoolean()); // none of its model files is on disk
        Assert.True(flux.GetProperty("missing_models").GetInt32() >= 3);
        Assert.Equal(1, (await Json(await _client.GetAsync("/api/workflows?category=image%20generation"))).GetProperty("total").GetInt32());

        var detail = await Json(await _client.GetAsync("/api/workflows/flux_schnell_basic"));
        Assert.False(detail.GetProperty("workflow").TryGetProperty("_meta", out _)); // the API format ComfyUI takes
        Assert.Equal("UNETLoader", detail.GetProperty("workflow").GetProperty("1").GetProperty("class_type").GetString());

        var put = await _client.PutAsJsonAsync("/api/workflows/flux_schnell_basic", new { name = "Mine now" });
        await ErrorAssert.IsErrorBody(put, HttpStatusCode.Conflict, "CONFLICT");
        await ErrorAssert.IsErrorBody(await _client.DeleteAsync("/api/workflows/flux_schnell_basic"), HttpStatusCode.Conflict, "CONFLICT");
        Assert.True(File.Exists(Path.Combine(TestPaths.RepoRoot(), "registry", "workflows", "image", "flux_schnell_basic.json")));
    }

    [Fact]
    public async Task A_UI_format_workflow_is_saved_as_it_came_converted_on_read_and_never_overwritten_by_a_new_one()
    {
        var ui = WorkflowConverterTests.Read("lora_multiple_2023.ui.json");
        var saved = await Json(await _client.PostAsJsonAsync("/api/workflows", new { name = "Two LoRAs", category = "Tests", workflow = ui }));
        var id = saved.GetProperty("id").GetString()!;
        Assert.StartsWith("two_loras", id);
        Assert.Equal("saved", saved.GetProperty("status").GetString());
        Assert.Equal($"workflows/user/{id}.json", saved.GetProperty("path").GetString());
        var again = await Json(await _client.PostAsJsonAsync("/api/workflows", new { name = "Two LoRAs", workflow = ui }));
        Assert.NotEqual(id, again.GetProperty("id").GetString());
        Assert.True(File.Exists(Path.Combine(_factory.DataDir, "workflows", "user", id + ".json")));

        var detail = await Json(await _client.GetAsync($"/api/workflows/{id}"));
        var expected = WorkflowConverterTests.Read("lora_multiple_2023.api.json");
        var workflow = detail.GetProperty("workflow");
        Assert.Equal(expected.Select(kv => kv.Key).Order(), workflow.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("ui", detail.GetProperty("entry").GetProperty("format").GetString());
        // The models the 2023 example names are not in this ComfyUI's lists: ComfyUI would refuse, and so does the check.
        Assert.Contains(detail.GetProperty("errors").EnumerateArray(), e => e.GetProperty("type").GetString() == "value_not_in_list"
                                                                          && e.GetProperty("input").GetString() == "ckpt_name");
        var asSaved = await Json(await _client.GetAsync($"/api/workflows/{id}?format=ui"));
        Assert.Equal(JsonValueKind.Array, asSaved.GetProperty("workflow").GetProperty("nodes").ValueKind);

        var validation = await Json(await _client.PostAsync($"/api/workflows/{id}/validate", null));
        Assert.False(validation.GetProperty("valid").GetBoolean());
        Assert.True(validation.GetProperty("node_list_live").GetBoolean());

        var renamed = await Json(await _client.PutAsJsonAsync($"/api/workflows/{id}", new { name = "Two LoRAs, renamed" }));
        Assert.Equal(id, renamed.GetProperty("id").GetString());
        var entry = (await Json(await _client.GetAsync($"/api/workflows/{id}"))).GetProperty("entry");
        Assert.Equal(("Two LoRAs, renamed", "Tests"), (entry.GetProperty("name").GetString(), entry.GetProperty("category").GetString()));

        var deleted = await Json(await _client.DeleteAsync($"/api/workflows/{id}"));
        Assert.Equal(("deleted", id), (deleted.GetProperty("status").GetString(), deleted.GetProperty("workflow_id").GetString()));
        await ErrorAssert.IsErrorBody(await _client.GetAsync($"/api/workflows/{id}"), HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task A_run_applies_the_overrides_randomises_seeds_and_queues_what_ComfyUI_would_take()
    {
        var saved = await Json(await _client.PostAsJsonAsync("/api/workflows", new { name = "Run me", workflow = SoundGraph() }));
        var id = saved.GetProperty("id").GetString()!;
        var run = await Json(await _client.PostAsJsonAsync($"/api/workflows/{id}/run",
            new { inputs = new Dictionary<string, object> { ["6"] = new Dictionary<string, object> { ["text"] = "a red bottle" } }, randomize_seeds = true }));
        var promptId = run.GetProperty("prompt_id").GetString()!;
        JsonObject? sent = null;
        await TestWait.UntilAsync(() => Task.FromResult((sent = _factory.ComfyUi.Received.LastOrDefault(b => b["prompt_id"]?.ToString() == promptId)) is not null), 10, "ComfyUI to get the prompt");
        var prompt = sent!["prompt"]!.AsObject();
        Assert.Equal("a red bottle", prompt["6"]!["inputs"]!["text"]!.ToString());
        Assert.NotEqual(1L, prompt["3"]!["inputs"]!["seed"]!.GetValue<long>());
        Assert.False(prompt.ContainsKey("_meta"));

        var bad = await _client.PostAsJsonAsync($"/api/workflows/{id}/run", new { inputs = new Dictionary<string, object> { ["3"] = new Dictionary<string, object> { ["steps"] = 0 } } });
        var body = await ErrorAssert.IsErrorBody(bad, HttpStatusCode.BadRequest, "INVALID_WORKFLOW");
        Assert.Contains("steps", body.ToString());
    }

    [Fact]
    public async Task Bad_input_is_a_clear_4xx_and_nothing_is_written()
    {
        await ErrorAssert.IsErrorBody(await _client.PostAsJsonAsync("/api/workflows", new { name = "x", workflow = new { a = 1 } }), HttpStatusCode.BadRequest, "INVALID_WORKFLOW");
        await ErrorAssert.IsErrorBody(await _client.PostAsJsonAsync("/api/workflows", new { name = "x" }), HttpStatusCode.BadRequest, "INVALID_WORKFLOW");
        await ErrorAssert.IsErrorBody(await _client.PostAsJsonAsync("/api/workflows", new { workflow = SoundGraph() }), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await _client.PostAsync("/api/workflows", new StringContent("{\"name\":", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await _client.PostAsJsonAsync("/api/workflows", new { name = "x", workflow = "text" }), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        foreach (var id in new[] { "..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "a.b", "x%20y" })
        {
            var response = await _client.GetAsync($"/api/workflows/{id}");
            Assert.True((int)response.StatusCode is 400 or 404, $"{id}: {(int)response.StatusCode}");
            Assert.True((int)(await _client.DeleteAsync($"/api/workflows/{id}")).StatusCode is 400 or 404 or 405);
        }
        await ErrorAssert.IsErrorBody(await _client.GetAsync("/api/workflows/flux_schnell_basic?format=xml"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await _client.GetAsync("/api/workflows?per_page=1000"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.False(Directory.Exists(Path.Combine(_factory.DataDir, "workflows", "user")) &&
                     Directory.EnumerateFiles(Path.Combine(_factory.DataDir, "workflows", "user"), "x*.json").Any());
    }

    [Fact]
    public async Task Readiness_lists_each_model_file_on_disk_or_not_with_the_preset_that_provides_a_missing_one()
    {
        var graph = SoundGraph();
        graph["4"]!["inputs"]!["ckpt_name"] = "ready/here.safetensors";
        graph["10"] = JsonNode.Parse("""{"class_type": "LoraLoader", "inputs": {"lora_name": "not-here.safetensors", "strength_model": 1.0, "strength_clip": 1.0, "model": ["4", 0], "clip": ["4", 1]}}""");
        graph["11"] = JsonNode.Parse("""{"class_type": "NoSuchNodePack", "inputs": {}}""");
        var path = Path.Combine(_factory.ComfyUiDir, "models", "checkpoints", "ready", "here.safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Models.ModelLibraryTests.Safetensors());
        var id = (await Json(await _client.PostAsJsonAsync("/api/workflows", new { name = "Readiness", workflow = graph }))).GetProperty("id").GetString();

        JsonElement readiness = default;
        await TestWait.UntilAsync(async () =>
        {
            readiness = await Json(await _client.GetAsync($"/api/workflows/{id}/readiness"));
            return readiness.GetProperty("models").EnumerateArray().Any(m => m.GetProperty("path").GetString() == "checkpoints/ready/here.safetensors" && m.GetProperty("present").GetBoolean());
        }, 10, "the index to see the checkpoint");
        Assert.False(readiness.GetProperty("ready").GetBoolean());
        var lora = readiness.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("path").GetString() == "loras/not-here.safetensors");
        Assert.False(lora.GetProperty("present").GetBoolean());
        Assert.Equal(("10", "lora_name"), (lora.GetProperty("node_id").GetString(), lora.GetProperty("input").GetString()));
        Assert.Equal(["NoSuchNodePack"], readiness.GetProperty("missing_nodes").EnumerateArray().Select(n => n.GetString()));

        // A registry template's missing files name the preset that brings them.
        var flux = await Json(await _client.GetAsync("/api/workflows/flux_schnell_basic/readiness"));
        var unet = flux.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("input").GetString() == "unet_name");
        Assert.False(unet.GetProperty("present").GetBoolean());
        Assert.Contains("flux-schnell-basic", unet.GetProperty("presets").EnumerateArray().Select(p => p.GetString()));
        Assert.False((await Json(await _client.GetAsync($"/api/workflows/{id}"))).GetProperty("readiness").GetProperty("ready").GetBoolean());
    }

    [Fact]
    public async Task A_model_file_arriving_on_disk_turns_the_workflow_ready_on_the_live_feed()
    {
        var graph = SoundGraph();
        graph["4"]!["inputs"]!["ckpt_name"] = "arrives/later.safetensors";
        var id = (await Json(await _client.PostAsJsonAsync("/api/workflows", new { name = "Arriving", workflow = graph }))).GetProperty("id").GetString();
        using var feed = await LiveFeedClient.ConnectAsync(_factory.Server, "workflows");
        await _factory.Services.GetRequiredService<Services.Workflows.WorkflowReadinessWatcher>().RecheckAsync(); // it knows the workflow as not ready
        Assert.False((await Json(await _client.GetAsync($"/api/workflows/{id}/readiness"))).GetProperty("ready").GetBoolean());

        var path = Path.Combine(_factory.ComfyUiDir, "models", "checkpoints", "arrives", "later.safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Models.ModelLibraryTests.Safetensors()); // no listing asks: the folder watcher's rescan finds it
        // (A first message may say what the new workflow misses; the one wanted says it is ready.)
        var changed = await feed.ReceiveAsync(m => m.GetProperty("type").GetString() == "workflow_readiness"
                                                   && m.GetProperty("data").GetProperty("workflow_id").GetString() == id
                                                   && m.GetProperty("data").GetProperty("ready").GetBoolean(), TimeSpan.FromSeconds(20));
        Assert.Equal(0, changed.GetProperty("data").GetProperty("missing_models").GetArrayLength());

        File.Delete(path);
        var gone = await feed.ReceiveAsync(m => m.GetProperty("type").GetString() == "workflow_readiness"
                                                && m.GetProperty("data").GetProperty("workflow_id").GetString() == id, TimeSpan.FromSeconds(20));
        Assert.False(gone.GetProperty("data").GetProperty("ready").GetBoolean());
        Assert.Equal(["checkpoints/arrives/later.safetensors"], gone.GetProperty("data").GetProperty("missing_models").EnumerateArray().Select(m => m.GetString()));
    }
}
