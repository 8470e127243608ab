using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComfyStudio.Tests.Downloads;
using ComfyStudio.Tests.Fakes;

namespace ComfyStudio.Tests.Workflows;

/// <summary>"Install what is missing": a UI-format workflow names its model with a URL; the studio fetches it and the workflow turns ready.</summary>
public sealed class WorkflowInstallTests : IAsyncLifetime
{
    private readonly DownloadFactory _host = new();
    private ModelFileServer _server = null!;

    public async Task InitializeAsync() => _server = await ModelFileServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task The_files_a_workflow_names_are_fetched_and_it_turns_ready()
    {
        _server.Add("wf-model.safetensors", 300_000);
        var workflow = JsonNode.Parse($$$"""
            {
              "last_node_id": 1, "last_link_id": 0, "version": 0.4, "links": [],
              "nodes": [{"id": 1, "type": "CheckpointLoaderSimple", "mode": 0, "inputs": [], "outputs": [], "widgets_values": ["wf/wf-model.safetensors"],
                         "properties": {"models": [{"name": "wf/wf-model.safetensors", "url": "{{{_server.UrlOf("wf-model.safetensors")}}}", "directory": "checkpoints"}]}}]
            }
            """)!;
        var client = _host.CreateKeyClient();
        var id = (await (await client.PostAsJsonAsync("/api/workflows", new { name = "Needs a model", workflow })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var before = await client.GetFromJsonAsync<JsonElement>($"/api/workflows/{id}/readiness");
        Assert.False(before.GetProperty("ready").GetBoolean());
        var model = Assert.Single(before.GetProperty("models").EnumerateArray());
        Assert.Equal(("checkpoints/wf/wf-model.safetensors", false), (model.GetProperty("path").GetString(), model.GetProperty("present").GetBoolean()));

        var started = await (await client.PostAsync($"/api/workflows/{id}/install-models", null)).Content.ReadFromJsonAsync<JsonElement>();
        var downloadId = started.GetProperty("download_id").GetString();
        Assert.NotNull(downloadId);
        Assert.Empty(started.GetProperty("unavailable").EnumerateArray());
        await DownloadFactory.WaitForAsync(client, downloadId!, ["completed"]);
        await TestWait.UntilAsync(async () => (await client.GetFromJsonAsync<JsonElement>($"/api/workflows/{id}/readiness")).GetProperty("ready").GetBoolean(),
            10, "the workflow to turn ready once its model is verified on disk");
        Assert.True(File.Exists(Path.Combine(_host.ComfyUiDir, "models", "checkpoints", "wf", "wf-model.safetensors")));
    }
}
