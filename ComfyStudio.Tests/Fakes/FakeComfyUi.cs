using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ComfyStudio.Tests.Fakes;

/// <summary>
/// A ComfyUI server for tests, on a real loopback port, answering as <c>reference/comfyui-server-api.md</c> records
/// and <c>comfyui-observed-session.txt</c> shows a real 0.3.64 doing: every route also under <c>/api</c>;
/// <c>/system_stats</c>, <c>/object_info</c>, <c>/prompt</c> (its success and validation-failure bodies),
/// <c>/queue</c> (GET, and POST delete/clear), <c>/interrupt</c>, <c>/history</c>, <c>/view</c>, and <c>/ws</c>
/// with the message sequence of a run sent to the socket whose id the prompt carries (progress too; only
/// <c>status</c> is broadcast). With <see cref="AutoRun"/> a worker runs the queue as ComfyUI does.
/// </summary>
/// <remarks>
/// What a prompt does when run is chosen by its graph: a node of class <c>RaiseError</c> fails with
/// <c>execution_error</c>; a <c>KSampler</c> steps through <c>steps</c> (default 2) with previews; a node of class
/// <c>Wait</c> holds the run until <see cref="Release"/> or an interrupt; <c>SaveImage</c> writes an image
/// <c>/view</c> then serves. A node whose <c>ckpt_name</c> is <c>missing.safetensors</c> fails validation.
/// </remarks>
public sealed class FakeComfyUi : IAsyncDisposable
{
    private WebApplication _app;
    private readonly ConcurrentDictionary<string, (WebSocket Socket, bool PreviewMetadata)> _sockets = new();
    private readonly ConcurrentDictionary<string, (JsonObject Prompt, string? ClientId)> _prompts = new();
    private readonly ConcurrentDictionary<string, byte[]> _files = new();
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _interrupted;
    private long _number;
    private int _port;

    /// <summary>Node classes and their <c>python_module</c>, as <c>/object_info</c> lists them.</summary>
    public Dictionary<string, string> Nodes { get; } = new()
    {
        ["CheckpointLoaderSimple"] = "nodes",
        ["KSampler"] = "nodes",
        ["SaveImage"] = "nodes",
        ["LatentUpscaleBy"] = "comfy_extras.nodes_upscale_model",
        ["WanVideoSampler"] = "custom_nodes.ComfyUI-WanVideoWrapper",
        ["WanVideoDecode"] = "custom_nodes.ComfyUI-WanVideoWrapper.nodes",
        ["VHS_VideoCombine"] = "custom_nodes.ComfyUI-VideoHelperSuite",
    };

    /// <summary>Puts a file where <c>/view</c> serves it (<paramref name="type"/>: output, input or temp).</summary>
    public void AddFile(string type, string? subfolder, string name, byte[] bytes) => _files[$"{type}/{subfolder}/{name}"] = bytes;

    /// <summary>Full <c>/object_info</c> entries by class (real ones, with inputs and outputs); they replace the bare entries of <see cref="Nodes"/>.</summary>
    public JsonObject Classes { get; } = [];

    /// <summary>Prompts running and pending as (number, prompt id); pending in heap order, as ComfyUI sends it (unsorted).</summary>
    public List<(long Number, string PromptId)> Running { get; } = [];
    public List<(long Number, string PromptId)> Pending { get; } = [];

    /// <summary>prompt id → ComfyUI's history entry, oldest first (in memory: lost on <see cref="RestartAsync"/>).</summary>
    public ConcurrentDictionary<string, JsonObject> History { get; } = new();

    /// <summary>Set to make <c>/system_stats</c> fail with this status.</summary>
    public int? SystemStatsStatus { get; set; }

    /// <summary>Run queued prompts, one at a time, as ComfyUI's worker does.</summary>
    public bool AutoRun { get; set; }

    /// <summary>Every /prompt body received.</summary>
    public ConcurrentQueue<JsonObject> Received { get; } = new();

    public string Url { get; private set; } = "";

    /// <summary>The ids of the sockets open now.</summary>
    public IReadOnlyCollection<string> Clients => [.. _sockets.Keys];

    private FakeComfyUi(WebApplication app) => _app = app;

    public static async Task<FakeComfyUi> StartAsync()
    {
        var fake = new FakeComfyUi(null!);
        await fake.ListenAsync(0);
        _ = Task.Run(fake.WorkAsync);
        return fake;
    }

    /// <summary>ComfyUI stops (its sockets drop) and starts again on the same port with an empty queue and history.</summary>
    public async Task RestartAsync(TimeSpan? down = null)
    {
        await StopAsync();
        if (down is { } d) await Task.Delay(d);
        lock (_lock) { Running.Clear(); Pending.Clear(); }
        History.Clear();
        await ListenAsync(_port);
    }

    /// <summary>ComfyUI is down: the port refuses connections until <see cref="ListenAsync"/>.</summary>
    public async Task StopAsync()
    {
        foreach (var (_, (socket, _)) in _sockets) socket.Abort();
        _sockets.Clear();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public async Task ListenAsync(int port)
    {
        var (app, url) = await LoopbackServer.StartAsync(Map, port);
        _app = app;
        Url = url;
        _port = new Uri(url).Port;
    }

    /// <summary>Lets a run held by a <c>Wait</c> node go on.</summary>
    public void Release() => _released.TrySetResult();

    /// <summary>Queues a prompt as another client (ComfyUI's own UI) would: with its own client id, whose socket the studio is not.</summary>
    public string QueueAsOther(JsonObject prompt, string clientId = "comfyui-frontend")
    {
        var id = Guid.NewGuid().ToString("D");
        Enqueue(id, prompt, clientId);
        return id;
    }

    private void Map(WebApplication app)
    {
        app.UseWebSockets();
        foreach (var prefix in new[] { "", "/api" })
        {
            app.MapGet(prefix + "/system_stats", () => SystemStatsStatus is { } status
                ? Results.StatusCode(status)
                : Results.Text(SystemStats().ToJsonString(), "application/json"));
            app.MapGet(prefix + "/object_info", () => Results.Text(ObjectInfo().ToJsonString(), "application/json"));
            app.MapGet(prefix + "/queue", () => Results.Text(QueueJson().ToJsonString(), "application/json"));
            app.MapPost(prefix + "/queue", async (HttpRequest r) => { DeleteFromQueue(await BodyAsync(r)); return Results.Ok(); });
            app.MapPost(prefix + "/prompt", async (HttpRequest r) => PromptResult(await BodyAsync(r)));
            app.MapPost(prefix + "/interrupt", async (HttpRequest r) =>
            {
                var body = await BodyAsync(r);
                lock (_lock)
                    if (body?["prompt_id"]?.ToString() is not { } only || Running.Any(x => x.PromptId == only)) _interrupted = true;
                _released.TrySetResult();
                return Results.Ok();
            });
            app.MapGet(prefix + "/history", (int? max_items) =>
            {
                var all = History.OrderBy(kv => kv.Value["_order"]!.GetValue<long>()).ToList();
                if (max_items is { } n) all = all.Skip(Math.Max(0, all.Count - n)).ToList();
                return Results.Text(new JsonObject([.. all.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Shown(kv.Value)))]).ToJsonString(), "application/json");
            });
            app.MapGet(prefix + "/history/{id}", (string id) => Results.Text(History.TryGetValue(id, out var h)
                ? new JsonObject { [id] = Shown(h) }.ToJsonString() : "{}", "application/json"));
            app.MapGet(prefix + "/view", (string? filename, string? subfolder, string? type) =>
            {
                if (string.IsNullOrEmpty(filename)) return Results.NotFound();
                if (filename.StartsWith('/') || filename.Contains("..")) return Results.BadRequest();
                var kind = type ?? "output";
                if (kind is not ("output" or "input" or "temp")) return Results.BadRequest();
                if ((subfolder ?? "").Contains("..")) return Results.StatusCode(403);
                return _files.TryGetValue($"{kind}/{subfolder}/{filename}", out var bytes) ? Results.Bytes(bytes, "image/png") : Results.NotFound();
            });
            app.Map(prefix + "/ws", SocketAsync);
        }
    }

    private static JsonObject Shown(JsonObject entry)
    {
        var copy = (JsonObject)entry.DeepClone();
        copy.Remove("_order");
        return copy;
    }

    private static async Task<JsonObject?> BodyAsync(HttpRequest request)
    {
        try { return await JsonNode.ParseAsync(request.Body) as JsonObject; }
        catch (System.Text.Json.JsonException) { return null; }
    }

    private IResult PromptResult(JsonObject? body)
    {
        if (body is not null) Received.Enqueue(body);
        if (body?["prompt"] is not JsonObject prompt)
            return Json(400, """{"error": {"type": "no_prompt", "message": "No prompt provided", "details": "No prompt provided", "extra_info": {}}, "node_errors": {}}""");
        foreach (var (id, node) in prompt)
            if (node?["inputs"]?["ckpt_name"]?.ToString() == "missing.safetensors")
                return Json(400, $$$"""
                    {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "Value not in list: ckpt_name: 'missing.safetensors' not in ['fake_sd15.safetensors']", "extra_info": {}},
                     "node_errors": {"{{{id}}}": {"errors": [{"type": "value_not_in_list", "message": "Value not in list", "details": "ckpt_name: 'missing.safetensors' not in ['fake_sd15.safetensors']",
                       "extra_info": {"input_name": "ckpt_name", "input_config": [["fake_sd15.safetensors"], {"tooltip": "The name of the checkpoint (model) to load."}], "received_value": "missing.safetensors"}}],
                       "dependent_outputs": ["9"], "class_type": "{{{node["class_type"]}}}" } } }
                    """);
        var promptId = body["prompt_id"]?.ToString() ?? Guid.NewGuid().ToString("D");
        var number = Enqueue(promptId, prompt, body["client_id"]?.ToString(), body["front"]?.GetValue<bool>() == true);
        return Json(200, new JsonObject { ["prompt_id"] = promptId, ["number"] = number, ["node_errors"] = new JsonObject() }.ToJsonString());
    }

    private long Enqueue(string promptId, JsonObject prompt, string? clientId, bool front = false)
    {
        long number;
        lock (_lock)
        {
            number = front ? -_number : _number;
            _number++;
            _prompts[promptId] = ((JsonObject)prompt.DeepClone(), clientId);
            Pending.Add((number, promptId));
        }
        BroadcastStatus();
        _wake.Release();
        return number;
    }

    private void DeleteFromQueue(JsonObject? body)
    {
        lock (_lock)
        {
            if (body?["clear"]?.GetValue<bool>() == true) Pending.Clear();
            foreach (var id in (body?["delete"] as JsonArray ?? []).Select(d => d?.ToString()))
                Pending.RemoveAll(p => p.PromptId == id);
        }
        BroadcastStatus();
    }

    private static IResult Json(int status, string json) => Results.Text(json, "application/json", Encoding.UTF8, status);

    // ---- the worker: runs a prompt as ComfyUI 0.3.64 does, message for message ----------------------------------

    private async Task WorkAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try { await _wake.WaitAsync(TimeSpan.FromMilliseconds(100), _stop.Token); }
            catch (OperationCanceledException) { return; }
            if (!AutoRun) continue;
            (long Number, string PromptId) next;
            lock (_lock)
            {
                if (Running.Count > 0 || Pending.Count == 0) continue;
                next = Pending.OrderBy(p => p.Number).First();
                Pending.Remove(next);
                Running.Add(next);
            }
            BroadcastStatus();
            try { await RunAsync(next.Number, next.PromptId); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            lock (_lock) Running.Remove(next);
            BroadcastStatus();
            _wake.Release();
        }
    }

    private async Task RunAsync(long number, string promptId)
    {
        var (prompt, clientId) = _prompts[promptId];
        _interrupted = false;
        _released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var messages = new JsonArray();
        var outputs = new JsonObject();
        var executed = new List<string>();
        long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        async Task Send(string type, JsonObject data, bool record = false)
        {
            if (record) messages.Add(new JsonArray(type, data.DeepClone()));
            await SendToAsync(clientId, new JsonObject { ["type"] = type, ["data"] = data }.ToJsonString(), broadcastWithoutClient: type is "progress" || type == "execution_interrupted");
        }
        await Send("execution_start", new JsonObject { ["prompt_id"] = promptId, ["timestamp"] = Now() }, record: true);
        // The same graph again is served from ComfyUI's cache, as run 2 of the observed session: every node cached,
        // the output node's cached UI sent as `executed`, nothing run.
        var key = prompt.ToJsonString();
        if (_cache.TryGetValue(key, out var cached))
        {
            await Send("execution_cached", new JsonObject { ["nodes"] = new JsonArray([.. prompt.Select(kv => (JsonNode)kv.Key)]), ["prompt_id"] = promptId, ["timestamp"] = Now() }, record: true);
            foreach (var (node, ui) in cached)
            {
                outputs[node] = ui.DeepClone();
                await Send("executed", new JsonObject { ["node"] = node, ["display_node"] = node, ["output"] = ui.DeepClone(), ["prompt_id"] = promptId });
            }
            await Send("execution_success", new JsonObject { ["prompt_id"] = promptId, ["timestamp"] = Now() }, record: true);
            await FinishRunAsync(number, promptId, prompt, clientId, outputs, messages, "success", Send);
            return;
        }
        await Send("execution_cached", new JsonObject { ["nodes"] = new JsonArray(), ["prompt_id"] = promptId, ["timestamp"] = Now() }, record: true);
        string status = "success";
        foreach (var (id, node) in prompt.OrderBy(kv => int.TryParse(kv.Key, out var n) ? n : int.MaxValue))
        {
            var cls = node?["class_type"]?.ToString() ?? "";
            await Send("executing", new JsonObject { ["node"] = id, ["display_node"] = id, ["prompt_id"] = promptId });
            if (cls == "RaiseError")
            {
                var error = new JsonObject
                {
                    ["prompt_id"] = promptId, ["node_id"] = id, ["node_type"] = cls, ["executed"] = new JsonArray([.. executed.Select(e => (JsonNode)e)]),
                    ["exception_message"] = "ERROR: Could not detect model type of: models/checkpoints/fake_sd15.safetensors",
                    ["exception_type"] = "RuntimeError",
                    ["traceback"] = new JsonArray("  File \"execution.py\", line 496, in execute\n", "RuntimeError: ERROR: Could not detect model type\n"),
                    ["current_inputs"] = new JsonObject(), ["current_outputs"] = new JsonArray(), ["timestamp"] = Now(),
                };
                await Send("execution_error", error, record: true);
                status = "error";
                break;
            }
            if (cls == "Wait")
            {
                await Task.WhenAny(_released.Task, Task.Delay(TimeSpan.FromSeconds(60)));
            }
            if (cls == "KSampler")
            {
                var steps = node?["inputs"]?["steps"] is JsonValue v && v.TryGetValue<int>(out var s) ? s : 2;
                for (var step = 0; step < steps && !_interrupted; step++)
                {
                    await SendPreviewAsync(clientId, promptId, id);
                    await Send("progress", new JsonObject { ["value"] = step + 1, ["max"] = steps, ["prompt_id"] = promptId, ["node"] = id });
                    await Task.Delay(20);
                }
            }
            if (_interrupted)
            {
                await Send("execution_interrupted", new JsonObject
                {
                    ["prompt_id"] = promptId, ["node_id"] = id, ["node_type"] = cls, ["executed"] = new JsonArray([.. executed.Select(e => (JsonNode)e)]), ["timestamp"] = Now(),
                }, record: true);
                status = "error";
                break;
            }
            if (cls == "SaveImage")
            {
                var name = $"{node?["inputs"]?["filename_prefix"] ?? "ComfyUI"}_{number + 1:00000}_.png";
                _files[$"output//{name}"] = TinyPng;
                var output = new JsonObject { ["images"] = new JsonArray(new JsonObject { ["filename"] = name, ["subfolder"] = "", ["type"] = "output" }) };
                outputs[id] = output.DeepClone();
                await Send("executed", new JsonObject { ["node"] = id, ["display_node"] = id, ["output"] = output, ["prompt_id"] = promptId });
            }
            executed.Add(id);
        }
        if (status == "success")
        {
            await Send("execution_success", new JsonObject { ["prompt_id"] = promptId, ["timestamp"] = Now() }, record: true);
            _cache[key] = [.. outputs.Select(kv => (kv.Key, (JsonObject)kv.Value!.DeepClone()))];
        }
        await FinishRunAsync(number, promptId, prompt, clientId, outputs, messages, status, Send);
    }

    private readonly ConcurrentDictionary<string, List<(string Node, JsonObject Ui)>> _cache = new();

    private async Task FinishRunAsync(long number, string promptId, JsonObject prompt, string? clientId, JsonObject outputs, JsonArray messages,
        string status, Func<string, JsonObject, bool, Task> send)
    {
        History[promptId] = new JsonObject
        {
            ["prompt"] = new JsonArray(number, promptId, prompt.DeepClone(), clientId is null ? new JsonObject() : new JsonObject { ["client_id"] = clientId }, new JsonArray("9")),
            ["outputs"] = outputs,
            ["status"] = new JsonObject { ["status_str"] = status, ["completed"] = status == "success", ["messages"] = messages },
            ["meta"] = new JsonObject(),
            ["_order"] = Interlocked.Increment(ref _historyOrder),
        };
        lock (_lock) Running.RemoveAll(r => r.PromptId == promptId);
        BroadcastStatus();
        await send("executing", new JsonObject { ["node"] = null, ["prompt_id"] = promptId }, false);
    }

    private long _historyOrder;

    /// <summary>A 1×1 PNG, what SaveImage "writes".</summary>
    public static readonly byte[] TinyPng = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==");

    private async Task SendPreviewAsync(string? clientId, string promptId, string node)
    {
        if (clientId is null || !_sockets.TryGetValue(clientId, out var target)) return;
        byte[] frame;
        if (target.PreviewMetadata)
        {
            var meta = Encoding.UTF8.GetBytes(new JsonObject
            {
                ["node_id"] = node, ["prompt_id"] = promptId, ["display_node_id"] = node, ["parent_node_id"] = null, ["real_node_id"] = node, ["image_type"] = "image/png",
            }.ToJsonString());
            frame = new byte[8 + meta.Length + TinyPng.Length];
            BinaryPrimitives.WriteUInt32BigEndian(frame, 4);
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)meta.Length);
            meta.CopyTo(frame, 8);
            TinyPng.CopyTo(frame, 8 + meta.Length);
        }
        else
        {
            frame = new byte[8 + TinyPng.Length];
            BinaryPrimitives.WriteUInt32BigEndian(frame, 1);
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), 2);
            TinyPng.CopyTo(frame, 8);
        }
        await SendAsync(target.Socket, frame, WebSocketMessageType.Binary);
    }

    // ---- /ws ---------------------------------------------------------------------------------------------------------

    private async Task SocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest) { context.Response.StatusCode = 400; return; }
        var sid = context.Request.Query["clientId"].ToString() is { Length: > 0 } id ? id : Guid.NewGuid().ToString("N");
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        _sockets[sid] = (socket, false);
        await SendAsync(socket, Encoding.UTF8.GetBytes(StatusJson(sid)), WebSocketMessageType.Text);
        var buffer = new byte[64 * 1024];
        var first = true;
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close) break;
                if (!first) continue; // only the first message is read, as ComfyUI does
                first = false;
                var message = JsonNode.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count)) as JsonObject;
                if (message?["type"]?.ToString() == "feature_flags")
                {
                    _sockets[sid] = (socket, message["data"]?["supports_preview_metadata"]?.GetValue<bool>() == true);
                    await SendAsync(socket, Encoding.UTF8.GetBytes("""{"type": "feature_flags", "data": {"supports_preview_metadata": true, "max_upload_size": 104857600}}"""),
                        WebSocketMessageType.Text);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or System.Text.Json.JsonException) { }
        finally
        {
            if (_sockets.TryGetValue(sid, out var current) && current.Socket == socket) _sockets.TryRemove(sid, out _);
        }
    }

    private string StatusJson(string? sid)
    {
        int remaining;
        lock (_lock) remaining = Running.Count + Pending.Count;
        var data = new JsonObject { ["status"] = new JsonObject { ["exec_info"] = new JsonObject { ["queue_remaining"] = remaining } } };
        if (sid is not null) data["sid"] = sid;
        return new JsonObject { ["type"] = "status", ["data"] = data }.ToJsonString();
    }

    private void BroadcastStatus()
    {
        var json = Encoding.UTF8.GetBytes(StatusJson(null));
        foreach (var (_, (socket, _)) in _sockets) _ = SendAsync(socket, json, WebSocketMessageType.Text);
    }

    /// <summary>To the socket the prompt carries; without a client id, nothing (or to every socket for progress and interrupts).</summary>
    private async Task SendToAsync(string? clientId, string json, bool broadcastWithoutClient)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        if (clientId is null)
        {
            if (broadcastWithoutClient) foreach (var (_, (socket, _)) in _sockets) await SendAsync(socket, bytes, WebSocketMessageType.Text);
            return;
        }
        if (_sockets.TryGetValue(clientId, out var target)) await SendAsync(target.Socket, bytes, WebSocketMessageType.Text);
    }

    private readonly SemaphoreSlim _sendGate = new(1, 1);

    private async Task SendAsync(WebSocket socket, byte[] bytes, WebSocketMessageType type)
    {
        await _sendGate.WaitAsync();
        try
        {
            if (socket.State == WebSocketState.Open) await socket.SendAsync(bytes, type, true, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException) { }
        finally
        {
            _sendGate.Release();
        }
    }

    // ---- read routes ---------------------------------------------------------------------------------------------

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
        JsonArray Items(IEnumerable<(long Number, string PromptId)> items) => new([.. items.Select(i =>
        {
            var known = _prompts.TryGetValue(i.PromptId, out var p);
            return (JsonNode)new JsonArray(
                i.Number, i.PromptId,
                known ? p.Prompt.DeepClone() : new JsonObject { ["3"] = new JsonObject { ["class_type"] = "KSampler", ["inputs"] = new JsonObject { ["seed"] = 1 } } },
                new JsonObject { ["client_id"] = known ? p.ClientId : "test-client" },
                new JsonArray("9"));
        })]);
        lock (_lock) return new JsonObject { ["queue_running"] = Items(Running), ["queue_pending"] = Items(Pending) };
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
        lock (_lock)
            foreach (var (name, entry) in Classes) info[name] = entry?.DeepClone();
        return info;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _released.TrySetResult();
        try { await StopAsync(); } catch (ObjectDisposedException) { }
    }
}
