using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Formatting;
using ComfyStudio.Services.Telemetry;
using ComfyStudio.Web.Api.Errors;

namespace ComfyStudio.Web.LiveFeed;

/// <summary>
/// <c>/ws</c>: spec B's WebSocket protocol. Clients subscribe to channels (<c>downloads</c>, <c>queue</c>,
/// <c>system</c>, <c>workflows</c>) and receive the bus's events for those channels. Every persisted event
/// is sent on <c>system</c> as <c>{"type":"event","data":{…}}</c>, each telemetry sample as <c>system_status</c>;
/// later features add their own messages.
/// </summary>
public static class LiveFeedEndpoint
{
    public static readonly IReadOnlySet<string> Channels = new HashSet<string> { "downloads", "queue", "system", "workflows" };
    private const int MaxMessageBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapLiveFeed(this IEndpointRouteBuilder app)
    {
        app.Map("/ws", HandleAsync).ExcludeFromDescription();
        return app;
    }

    /// <summary>The channel an event belongs to.</summary>
    public static string ChannelOf(StudioEvent evt) => evt.Type switch
    {
        var t when t.StartsWith("download", StringComparison.Ordinal) || t.StartsWith("model.download", StringComparison.Ordinal) => "downloads",
        var t when t.StartsWith("queue", StringComparison.Ordinal) => "queue",
        var t when t.StartsWith("workflow", StringComparison.Ordinal) => "workflows",
        _ => "system",
    };

    private static async Task HandleAsync(HttpContext context, EventBus bus)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await ApiErrors.WriteAsync(context, ErrorCodes.ValidationError, "This endpoint speaks WebSocket only");
            return;
        }
        if (!OriginAllowed(context))
        {
            await ApiErrors.WriteAsync(context, ErrorCodes.Forbidden, "WebSocket connections from another site are not allowed");
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var subscribed = new ConcurrentDictionary<string, bool>();
        var outbox = Channel.CreateBounded<JsonObject>(new BoundedChannelOptions(512) { FullMode = BoundedChannelFullMode.DropOldest });
        using var subscription = bus.Subscribe(evt => subscribed.ContainsKey(ChannelOf(evt)), evt =>
        {
            foreach (var message in MessagesOf(evt)) outbox.Writer.TryWrite(message);
            return Task.CompletedTask;
        });
        var ct = context.RequestAborted;
        using var receiving = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // The app stopping (a restart) closes the socket ("going away"), or an open one would hold the shutdown for
        // its whole timeout. The close goes after the last queued message (one sender at a time); the client's
        // answer to it ends the receive loop. Cancelling a receive would abort the socket without a close.
        var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var sender = Task.Run(async () =>
        {
            await foreach (var message in outbox.Reader.ReadAllAsync(ct))
                await socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, ct);
            if (stopping.IsCancellationRequested && socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "the app is restarting", ct);
                receiving.CancelAfter(TimeSpan.FromSeconds(2)); // a client that does not answer the close is cut off
            }
        }, ct);
        using var onStopping = stopping.Register(() => outbox.Writer.TryComplete());

        var buffer = new byte[MaxMessageBytes];
        try
        {
            while (socket.State == WebSocketState.Open && !ct.IsCancellationRequested)
            {
                var (text, closed) = await ReceiveTextAsync(socket, buffer, receiving.Token);
                if (closed) break;
                if (text is null)
                {
                    outbox.Writer.TryWrite(Error(ErrorCodes.ValidationError, $"Messages must be JSON text under {MaxMessageBytes} bytes"));
                    continue;
                }
                List<JsonObject> replies;
                try { replies = await AnswerAsync(text, subscribed, context.RequestServices, ct); }
                catch (StudioException e)
                {
                    replies = [Error(e.Code, e.Message, e.Details.Count > 0 ? JsonSerializer.SerializeToNode(e.Details) as JsonObject : null)];
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A message we cannot make sense of is the client's problem, never the connection's end.
                    replies = [Error(ErrorCodes.ValidationError, "The message could not be read")];
                }
                foreach (var reply in replies)
                    outbox.Writer.TryWrite(reply);
            }
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException) { }
        finally
        {
            outbox.Writer.TryComplete();
            try { await sender; } catch (Exception e) when (e is OperationCanceledException or WebSocketException) { }
        }
    }

    /// <summary>
    /// A browser's handshake carries the login cookie on its own, so one opened with the cookie must come
    /// from this site (or an origin listed in CORS_ORIGINS). Key-authenticated clients are not browsers
    /// riding on a cookie and may connect from anywhere.
    /// </summary>
    public static bool OriginAllowed(HttpContext context)
    {
        if (Api.Auth.ApiKeyAuthenticationHandler.PresentedKey(context.Request) is not null) return true;
        var origin = context.Request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin)) return true; // not a browser
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)) return false;
        if (string.Equals(uri.Authority, context.Request.Host.Value, StringComparison.OrdinalIgnoreCase)) return true;
        var allowed = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ComfyStudio.Services.Configuration.StudioOptions>>().Value.CorsOrigins;
        return (allowed ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Any(o => string.Equals(o.TrimEnd('/'), origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Answers one client message; an action's failure is a <see cref="StudioException"/> the caller turns into an error message.</summary>
    public static async Task<List<JsonObject>> AnswerAsync(string text, ConcurrentDictionary<string, bool> subscribed, IServiceProvider services, CancellationToken ct)
    {
        JsonObject? message;
        try { message = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject; }
        catch (Exception e) when (e is JsonException or ArgumentException) { message = null; }
        if (message?["type"] is JsonValue t && t.TryGetValue<string>(out var type) && type == "action"
            && message["action"] is JsonValue av && av.TryGetValue<string>(out var action) && action == "install_preset")
            return [await InstallPresetAsync(message["data"] as JsonObject, services, ct)];
        return Handle(text, subscribed).ToList();
    }

    /// <summary><c>{"type":"action","action":"install_preset","data":{"preset_id":…, "force"?, "priority"?}}</c>: what <c>POST /api/presets/{id}/install</c> does.</summary>
    private static async Task<JsonObject> InstallPresetAsync(JsonObject? data, IServiceProvider services, CancellationToken ct)
    {
        if (data?["preset_id"] is not JsonValue idValue || !idValue.TryGetValue<string>(out var presetId))
            throw StudioException.Validation("install_preset needs data.preset_id (a string)");
        bool? force = data["force"] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<bool>(out var b) => b,
            _ => throw StudioException.Validation("data.force must be true or false"),
        };
        string? priority = data["priority"] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var p) => p,
            _ => throw StudioException.Validation("data.priority must be low, normal or high"),
        };
        var started = await services.GetRequiredService<ComfyStudio.Services.Presets.PresetInstaller>().InstallAsync(presetId, force ?? false, priority, ct);
        return new JsonObject { ["type"] = "action_result", ["action"] = "install_preset", ["data"] = Api.Presets.PresetsController.Started(started) };
    }

    private static IEnumerable<JsonObject> Handle(string text, ConcurrentDictionary<string, bool> subscribed)
    {
        JsonObject? message;
        try { message = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject; }
        catch (Exception e) when (e is JsonException or ArgumentException) { message = null; }
        if (message is null || message["type"] is not JsonValue typeValue || !typeValue.TryGetValue<string>(out var type))
        {
            yield return Error(ErrorCodes.ValidationError, "Each message is a JSON object with a string 'type'");
            yield break;
        }
        switch (type)
        {
            case "subscribe" or "unsubscribe":
                if (message["channels"] is not JsonArray array || array.Any(c => c is not JsonValue v || !v.TryGetValue<string>(out _)))
                {
                    yield return Error(ErrorCodes.ValidationError, "'channels' must be an array of channel names");
                    yield break;
                }
                var names = array.Select(c => c!.GetValue<string>()).ToList();
                var unknown = names.Where(n => !Channels.Contains(n)).ToList();
                if (unknown.Count > 0)
                {
                    yield return Error(ErrorCodes.ValidationError, $"Unknown channel(s): {string.Join(", ", unknown)}",
                        new JsonObject { ["available"] = new JsonArray(Channels.Order().Select(c => (JsonNode)c).ToArray()) });
                    yield break;
                }
                foreach (var n in names)
                    if (type == "subscribe") subscribed[n] = true; else subscribed.TryRemove(n, out _);
                yield return new JsonObject
                {
                    ["type"] = type + "d",
                    ["data"] = new JsonObject { ["channels"] = new JsonArray(subscribed.Keys.Order().Select(c => (JsonNode)c).ToArray()) },
                };
                break;
            case "ping":
                yield return new JsonObject { ["type"] = "pong" };
                break;
            case "action":
                var action = message["action"] is JsonValue av && av.TryGetValue<string>(out var a) ? a : "";
                yield return Error(ErrorCodes.ValidationError, $"Unknown action '{action}'");
                break;
            default:
                yield return Error(ErrorCodes.ValidationError, $"Unknown message type '{type}'");
                break;
        }
    }

    /// <summary>
    /// What a subscriber receives for an event: telemetry samples as spec B's <c>system_status</c>, persisted events
    /// as <c>event</c>; other live ticks have their own messages (their features add them) or none. Every end of a
    /// download is a <c>download_complete</c> (<c>status</c>: success, failed or cancelled); a failure also sends its
    /// <c>error</c>.
    /// </summary>
    public static IReadOnlyList<JsonObject> MessagesOf(StudioEvent evt) => evt switch
    {
        TelemetrySampled t => [SystemStatusMessage(t.Snapshot)],
        DownloadProgressed p => [DownloadProgressMessage(p.Download)],
        DownloadCompleted c => [Complete(c.DownloadId, c.PresetId, "success", ("time_taken_seconds", c.Seconds))],
        DownloadFailed f =>
        [
            Complete(f.DownloadId, f.PresetId, "failed", ("file", f.File), ("error", f.Reason), ("error_code", ErrorCodes.ForClients(f.Code))),
            Error(ErrorCodes.ForClients(f.Code)!, f.Message, new JsonObject
            {
                ["download_id"] = f.DownloadId, ["preset_id"] = f.PresetId, ["file"] = f.File, ["error"] = f.Reason,
                ["access_denied"] = f.Code == ErrorCodes.AccessDenied,
            }),
        ],
        DownloadStateChanged { Status: "cancelled" } x =>
            [Complete(x.DownloadId, x.PresetId, "cancelled", ("error", "cancelled by the user")), EventMessage(evt)],
        { Persist: true } => [EventMessage(evt)],
        _ => [],
    };

    private static JsonObject Complete(string downloadId, string? presetId, string status, params (string Name, JsonNode? Value)[] extra)
    {
        var data = new JsonObject { ["download_id"] = downloadId, ["preset_id"] = presetId, ["status"] = status };
        foreach (var (name, value) in extra) data[name] = value;
        return new JsonObject { ["type"] = "download_complete", ["data"] = data };
    }

    /// <summary>Spec B's <c>system_status</c>: usage percentages, rounded.</summary>
    public static JsonObject SystemStatusMessage(TelemetrySnapshot t) => new()
    {
        ["type"] = "system_status",
        ["data"] = new JsonObject
        {
            ["cpu_usage"] = (int)Math.Round(t.Cpu.UtilizationPercent),
            ["memory_usage"] = (int)Math.Round(t.Memory.Percent),
            ["gpu_usage"] = t.Gpus is { Count: > 0 } g && g[0].UtilizationPercent is { } u ? (int)Math.Round(u) : null,
            ["disk_usage"] = (int)Math.Round(t.Disk.Percent),
            ["vram_usage"] = t.Gpus is { Count: > 0 } v ? (int)Math.Round(v[0].MemoryPercent) : null,
            ["timestamp"] = t.TakenAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
        },
    };

    /// <summary>Spec B's <c>download_progress</c>, with exact figures beside the readable ones.</summary>
    public static JsonObject DownloadProgressMessage(DownloadView v) => new()
    {
        ["type"] = "download_progress",
        ["data"] = new JsonObject
        {
            ["download_id"] = v.Id,
            ["preset_id"] = v.PresetId,
            ["status"] = v.Status,
            ["progress"] = v.Progress,
            ["current_file"] = v.CurrentFile,
            ["speed"] = ByteSize.Speed(v.SpeedBytesPerSecond),
            ["eta"] = v.EtaSeconds is { } eta ? Duration.Left(eta) : null,
            ["speed_mbps"] = v.SpeedMegabytesPerSecond,
            ["eta_seconds"] = v.EtaSeconds,
            ["downloaded_bytes"] = v.DownloadedBytes,
            ["total_bytes"] = v.TotalBytes,
            ["files"] = new JsonObject { ["total"] = v.FilesTotal, ["completed"] = v.FilesCompleted },
        },
    };

    public static JsonObject EventMessage(StudioEvent evt) => new()
    {
        ["type"] = "event",
        ["data"] = new JsonObject
        {
            ["id"] = evt.Id, ["type"] = evt.Type, ["severity"] = evt.Severity.Name(), ["message"] = evt.Message,
            ["timestamp"] = evt.Timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"), ["data"] = evt.Data?.DeepClone(),
        },
    };

    private static JsonObject Error(string code, string message, JsonObject? details = null) => new()
    {
        ["type"] = "error",
        ["data"] = new JsonObject { ["code"] = code, ["message"] = message, ["details"] = details ?? new JsonObject() },
    };

    private static async Task<(string? Text, bool Closed)> ReceiveTextAsync(WebSocket socket, byte[] buffer, CancellationToken ct)
    {
        var count = 0;
        while (true)
        {
            if (count == buffer.Length)
            {
                // Too long: read the rest of the message away and report it.
                WebSocketReceiveResult skip;
                do skip = await socket.ReceiveAsync(buffer, ct); while (!skip.EndOfMessage && skip.MessageType != WebSocketMessageType.Close);
                return (null, skip.MessageType == WebSocketMessageType.Close);
            }
            var result = await socket.ReceiveAsync(buffer.AsMemory(count), ct);
            if (result.MessageType == WebSocketMessageType.Close) return (null, true);
            count += result.Count;
            if (result.EndOfMessage)
                return result.MessageType == WebSocketMessageType.Text ? (Encoding.UTF8.GetString(buffer, 0, count), false) : (null, false);
        }
    }
}
