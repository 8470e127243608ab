using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Tests.Fakes;

/// <summary>
/// A ComfyUI server for tests, on a real loopback port, answering as <c>reference/comfyui-server-api.md</c>
/// records: every route also under <c>/api</c>, <c>/system_stats</c> and <c>/object_info</c> in ComfyUI's shapes.
/// </summary>
public sealed class FakeComfyUi : IAsyncDisposable
{
    private readonly WebApplication _app;

    /// <summary>Node classes and their <c>python_module</c>, as <c>/object_info</c> lists them.</summary>
    public Dictionary<string, string> Nodes { get; } = new()
    {
        ["CheckpointLoaderSimple"] = "nodes",
        ["KSampler"] = "nodes",
        ["LatentUpscaleBy"] = "comfy_extras.nodes_upscale_model",
        ["WanVideoSampler"] = "custom_nodes.ComfyUI-WanVideoWrapper",
        ["WanVideoDecode"] = "custom_nodes.ComfyUI-WanVideoWrapper.nodes",
        ["VHS_VideoCombine"] = "custom_nodes.ComfyUI-VideoHelperSuite",
    };

    /// <summary>Prompts running and pending as (number, prompt id); pending in heap order, as ComfyUI sends it (unsorted).</summary>
    public List<(long Number, string PromptId)> Running { get; } = [];
    public List<(long Number, string PromptId)> Pending { get; } = [];

    /// <summary>Set to make <c>/system_stats</c> fail with this status.</summary>
    public int? SystemStatsStatus { get; set; }

    public string Url { get; private set; } = "";

    private FakeComfyUi(WebApplication app) => _app = app;

    public static async Task<FakeComfyUi> StartAsync()
    {
        FakeComfyUi? fake = null; // requests arrive only once it is returned
        var (app, url) = await LoopbackServer.StartAsync(app =>
        {
            foreach (var prefix in new[] { "", "/api" })
            {
                app.MapGet(prefix + "/system_stats", () => fake!.SystemStatsStatus is { } status
                    ? Results.StatusCode(status)
                    : Results.Text(SystemStats().ToJsonString(), "application/json"));
                app.MapGet(prefix + "/object_info", () => Results.Text(fake!.ObjectInfo().ToJsonString(), "application/json"));
                app.MapGet(prefix + "/queue", () => Results.Text(fake!.QueueJson().ToJsonString(), "application/json"));
            }
        });
        fake = new FakeComfyUi(app) { Url = url };
        return fake;
    }

    private static JsonObject SystemStats() => new()
    {
        ["system"] = new JsonObject
        {
            ["os"] = "posix", ["ram_total"] = 67108864000L, ["ram_free"] = 50000000000L,
            ["comfyui_version"] = "0.3.64", ["required_frontend_version"] = "1.27.10",
            ["python_version"] = "3.12.3 (main) [GCC 13.2.0]", ["pytorch_version"] = "2.8.0+cu128",
            ["embedded_python"] = false, ["argv"] = new JsonArray("main.py", "--listen", "0.0.0.0"),
        },
        ["devices"] = new JsonArray(new JsonObject
        {
            ["name"] = "cuda:0 NVIDIA H100 80GB HBM3 : cudaMallocAsync", ["type"] = "cuda", ["index"] = 0,
            ["vram_total"] = 85000000000L, ["vram_free"] = 84000000000L, ["torch_vram_total"] = 0, ["torch_vram_free"] = 0,
        }),
    };

    /// <summary><c>/queue</c>: each item <c>[number, prompt_id, prompt, extra_data, outputs_to_execute]</c>.</summary>
    private JsonObject QueueJson()
    {
        static JsonArray Items(IEnumerable<(long Number, string PromptId)> items) => new([.. items.Select(i => (JsonNode)new JsonArray(
            i.Number, i.PromptId,
            new JsonObject { ["3"] = new JsonObject { ["class_type"] = "KSampler", ["inputs"] = new JsonObject { ["seed"] = 1 } } },
            new JsonObject { ["client_id"] = "test-client" },
            new JsonArray("9")))]);
        return new JsonObject { ["queue_running"] = Items(Running), ["queue_pending"] = Items(Pending) };
    }

    private JsonObject ObjectInfo()
    {
        var info = new JsonObject();
        foreach (var (name, module) in Nodes)
            info[name] = new JsonObject
            {
                ["input"] = new JsonObject { ["required"] = new JsonObject() },
                ["input_order"] = new JsonObject { ["required"] = new JsonArray() },
                ["output"] = new JsonArray(), ["output_is_list"] = new JsonArray(), ["output_name"] = new JsonArray(),
                ["name"] = name, ["display_name"] = name, ["description"] = "", ["python_module"] = module,
                ["category"] = "sd", ["output_node"] = false,
            };
        return info;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
