using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComfyStudio.Services.ComfyUi;

namespace ComfyStudio.Tests.ComfyUi;

/// <summary>ComfyUI going down and coming back, ComfyUI restarting mid-run, and the studio restarting mid-run.</summary>
public sealed class ComfyUiRestartTests : IAsyncLifetime
{
    private readonly string _data = TestPaths.NewTempDir("comfy-restart");
    private FakeComfyUi _comfy = null!;

    private sealed class Host(string dataDir, string comfyUrl) : StudioFactory(dataDir)
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["COMFYUI_URL"] = comfyUrl,
            ["ComfyUi:ReconnectMinDelay"] = "00:00:00.050",
            ["ComfyUi:ReconnectMaxDelay"] = "00:00:00.200",
        };
    }

    public async Task InitializeAsync()
    {
        _comfy = await FakeComfyUi.StartAsync();
        _comfy.AutoRun = true;
    }

    public async Task DisposeAsync()
    {
        await _comfy.DisposeAsync();
        TestPaths.TryDelete(_data);
    }

    private static readonly JsonObject Waiting = new()
    {
        ["5"] = new JsonObject { ["class_type"] = "Wait", ["inputs"] = new JsonObject() },
        ["9"] = new JsonObject { ["class_type"] = "SaveImage", ["inputs"] = new JsonObject { ["filename_prefix"] = "later" } },
    };

    private static async Task ConnectedAsync(StudioFactory host, FakeComfyUi comfy)
    {
        var connection = host.Services.GetRequiredService<ComfyUiConnection>();
        await TestWait.UntilAsync(() => connection.Connected && comfy.Clients.Contains(connection.ClientId), 20, "the studio's socket to ComfyUI");
    }

    private static async Task<JsonElement> UntilAsync(HttpClient client, string id, string status)
    {
        JsonElement body = default;
        await TestWait.UntilAsync(async () =>
        {
            var response = await client.GetAsync($"/api/comfyui/history/{id}");
            if (response.StatusCode != HttpStatusCode.OK) return false;
            body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return body.GetProperty("status").GetString() == status;
        }, 20, $"{id} to be {status}");
        return body;
    }

    [Fact]
    public async Task ComfyUI_down_is_503_and_a_restart_mid_run_fails_the_run_with_the_reason_once_it_is_back()
    {
        using var host = new Host(_data, _comfy.Url);
        var client = host.CreateKeyClient();
        await ConnectedAsync(host, _comfy);
        var id = (await (await client.PostAsJsonAsync("/api/comfyui/execute", new { workflow = Waiting })).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("prompt_id").GetString()!;
        await UntilAsync(client, id, "running");

        await _comfy.StopAsync();
        var connection = host.Services.GetRequiredService<ComfyUiConnection>();
        await TestWait.UntilAsync(() => !connection.Connected, 10, "the studio to see ComfyUI gone");
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/comfyui/queue"), HttpStatusCode.ServiceUnavailable, "COMFYUI_UNAVAILABLE");
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/comfyui/health"), HttpStatusCode.ServiceUnavailable, "COMFYUI_UNAVAILABLE");
        await ErrorAssert.IsErrorBody(await client.PostAsJsonAsync("/api/comfyui/execute", new { workflow = Waiting }), HttpStatusCode.ServiceUnavailable, "COMFYUI_UNAVAILABLE");
        // Silence is not a verdict: while ComfyUI is away the run stays as it was.
        Assert.Equal("running", (await client.GetFromJsonAsync<JsonElement>($"/api/comfyui/history/{id}")).GetProperty("status").GetString());

        // ComfyUI comes back empty (it restarted): the socket reopens by itself, and the run it forgot is failed, saying why.
        await _comfy.RestartAsync();
        await ConnectedAsync(host, _comfy);
        var failed = await UntilAsync(client, id, "failed");
        Assert.Contains("no longer knows", failed.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal("healthy", (await client.GetFromJsonAsync<JsonElement>("/api/comfyui/health")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_run_that_finished_while_the_studio_was_down_gets_its_real_outcome_and_outputs()
    {
        string id;
        using (var first = new Host(_data, _comfy.Url))
        {
            var client = first.CreateKeyClient();
            await ConnectedAsync(first, _comfy);
            id = (await (await client.PostAsJsonAsync("/api/comfyui/execute", new { workflow = Waiting })).Content.ReadFromJsonAsync<JsonElement>())
                .GetProperty("prompt_id").GetString()!;
            await UntilAsync(client, id, "running");
        }
        // The studio is gone; ComfyUI finishes the run and keeps it in its history.
        _comfy.Release();
        await TestWait.UntilAsync(() => _comfy.History.ContainsKey(id), 20, "ComfyUI to finish the run");

        using var second = new Host(_data, _comfy.Url);
        var again = second.CreateKeyClient();
        var done = await UntilAsync(again, id, "completed");
        Assert.StartsWith("later_", done.GetProperty("outputs").GetProperty("images")[0].GetProperty("filename").GetString());
        Assert.Equal("api", done.GetProperty("source").GetString());
    }
}
