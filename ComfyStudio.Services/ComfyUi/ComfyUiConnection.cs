using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.ComfyUi;

/// <summary>
/// The studio's one long-lived socket to ComfyUI's <c>/ws?clientId=</c>, opened at start and kept open: when ComfyUI
/// is down or restarts it is opened again with a growing wait, and every time it opens the generations are reconciled
/// with ComfyUI's <c>/queue</c> and <c>/history</c>, so nothing that happened meanwhile is missed. ComfyUI's messages
/// become the generations' record and typed events on the bus; unknown messages are ignored.
/// </summary>
/// <remarks>
/// The client id is kept in <c>STUDIO_DIR/comfyui-client-id</c>: after a studio restart the socket comes back under
/// the same id, so ComfyUI sends the progress of a prompt the studio queued before it stopped. ComfyUI sends a
/// prompt's progress only to the socket that queued it, so prompts queued elsewhere are learnt from <c>/queue</c> and
/// <c>/history</c> on each broadcast <c>status</c>.
/// </remarks>
public sealed class ComfyUiConnection(
    IOptions<StudioOptions> studio, IOptions<ComfyUiOptions> options, Generations generations, EventBus bus, ILogger<ComfyUiConnection> logger)
    : BackgroundService
{
    private const int MaxMessageBytes = 32 * 1024 * 1024;
    private bool? _connected;

    /// <summary>The id the studio's socket and its prompts carry.</summary>
    public string ClientId { get; } = LoadClientId(studio.Value.StudioDir!);

    public bool Connected => _connected == true;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = options.Value.ReconnectMinDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            string? reason = null;
            try
            {
                using var socket = new ClientWebSocket();
                using (var connect = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    connect.CancelAfter(TimeSpan.FromSeconds(10));
                    await socket.ConnectAsync(SocketUri(), connect.Token);
                }
                // Preview frames with their prompt and node (ComfyUI's type 4) rather than bare images.
                await socket.SendAsync(Encoding.UTF8.GetBytes("""{"type":"feature_flags","data":{"supports_preview_metadata":true}}"""),
                    WebSocketMessageType.Text, true, stoppingToken);
                Changed(true, null);
                delay = options.Value.ReconnectMinDelay;
                await SafelyAsync(() => generations.ReconcileAsync(stoppingToken), "reconcile");
                await ReceiveAsync(socket, stoppingToken);
                reason = "ComfyUI closed the connection";
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException or IOException)
            {
                reason = e.Message;
            }
            Changed(false, reason);
            try
            {
                await Task.Delay(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.Value.ReconnectMaxDelay.Ticks));
        }
    }

    private Uri SocketUri()
    {
        var http = new Uri(studio.Value.ComfyUiUrl!.TrimEnd('/') + "/");
        var builder = new UriBuilder(new Uri(http, "ws")) { Scheme = http.Scheme == "https" ? "wss" : "ws", Query = "clientId=" + Uri.EscapeDataString(ClientId) };
        return builder.Uri;
    }

    private async Task ReceiveAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (socket.State == WebSocketState.Open)
        {
            message.SetLength(0);
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, ct);
                if (result.MessageType == WebSocketMessageType.Close) return;
                if (message.Length + result.Count > MaxMessageBytes) throw new WebSocketException("a message from ComfyUI is too large");
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);
            if (result.MessageType == WebSocketMessageType.Binary) Preview(message.ToArray());
            else await SafelyAsync(() => HandleAsync(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length), ct), "message");
        }
    }

    /// <summary>One of ComfyUI's JSON messages (§4.2 of the reference); an unknown or malformed one is ignored.</summary>
    internal async Task HandleAsync(string text, CancellationToken ct)
    {
        JsonObject? message;
        try { message = JsonNode.Parse(text) as JsonObject; }
        catch (JsonException) { return; }
        if (message?["data"] is not JsonObject data) return;
        var promptId = data["prompt_id"]?.ToString();
        switch (message["type"]?.ToString())
        {
            case "status":
                // The queue changed (someone's prompt went in or out): what is not ours is learnt from /queue and /history.
                ReconcileSoon(ct);
                break;
            case "execution_start" when promptId is not null:
                await generations.StartedAsync(promptId, ct);
                break;
            case "executing" when promptId is not null && data["node"]?.ToString() is { } node:
                await generations.ProgressAsync(promptId, node, 0, 1, "executing", ct);
                break;
            case "progress" when promptId is not null:
                await generations.ProgressAsync(promptId, data["node"]?.ToString(), Int(data["value"]), Int(data["max"]), "progress", ct);
                break;
            case "executed" when promptId is not null && data["node"]?.ToString() is { } node && data["output"] is JsonObject output:
                await generations.OutputAsync(promptId, node, output, ct);
                break;
            case "execution_success" when promptId is not null:
                await generations.FinishAsync(promptId, GenerationStates.Completed, ct: ct);
                break;
            case "execution_error" when promptId is not null:
                await generations.FinishAsync(promptId, GenerationStates.Failed, data["exception_message"]?.ToString(), data["node_id"]?.ToString(),
                    data["node_type"]?.ToString(), Generations.Traceback(data), ct);
                break;
            case "execution_interrupted" when promptId is not null:
                await generations.FinishAsync(promptId, GenerationStates.Interrupted, "interrupted", data["node_id"]?.ToString(), data["node_type"]?.ToString(), ct: ct);
                break;
        }
    }

    private int _reconciling;
    private volatile bool _reconcileAgain;

    /// <summary>
    /// A reconcile off the receive loop, coalesced: ComfyUI sends a burst of <c>status</c> messages around each prompt,
    /// and one reconcile after the burst sees what all of them announced.
    /// </summary>
    private void ReconcileSoon(CancellationToken ct)
    {
        _reconcileAgain = true;
        if (Interlocked.Exchange(ref _reconciling, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            try
            {
                while (_reconcileAgain && !ct.IsCancellationRequested)
                {
                    _reconcileAgain = false;
                    await SafelyAsync(() => generations.ReconcileAsync(ct), "reconcile");
                }
            }
            finally
            {
                Volatile.Write(ref _reconciling, 0);
                if (_reconcileAgain && !ct.IsCancellationRequested) ReconcileSoon(ct);
            }
        }, CancellationToken.None);
    }

    /// <summary>A binary frame: type 4 (metadata JSON, then the image) or the legacy type 1 (format, then the image).</summary>
    private void Preview(byte[] frame)
    {
        if (frame.Length < 8) return;
        var type = BinaryPrimitives.ReadUInt32BigEndian(frame);
        if (type == 4)
        {
            var length = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(4)), (uint)(frame.Length - 8));
            JsonObject? meta = null;
            try { meta = JsonNode.Parse(frame.AsSpan(8, length)) as JsonObject; } catch (JsonException) { }
            bus.Publish(new GenerationPreview(meta?["prompt_id"]?.ToString(), meta?["node_id"]?.ToString(),
                meta?["image_type"]?.ToString() ?? "image/jpeg", frame[(8 + length)..]));
        }
        else if (type == 1)
        {
            var format = BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(4));
            bus.Publish(new GenerationPreview(null, null, format == 2 ? "image/png" : "image/jpeg", frame[8..]));
        }
    }

    private void Changed(bool connected, string? reason)
    {
        if (_connected == connected) return;
        var first = _connected is null;
        _connected = connected;
        if (connected) logger.LogInformation("Connected to ComfyUI's socket as {ClientId}", ClientId);
        else logger.LogInformation("ComfyUI's socket is closed ({Reason}); opening it again shortly", reason);
        if (!(first && !connected)) bus.Publish(new ComfyUiConnectionChanged(connected, reason)); // a ComfyUI that starts after the studio is no news
    }

    private async Task SafelyAsync(Func<Task> work, string what)
    {
        try
        {
            await work();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogDebug("ComfyUI {What} not handled: {Reason}", what, e.Message);
        }
    }

    private static int Int(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? (int)d : 0;

    private static string LoadClientId(string studioDir)
    {
        var path = Path.Combine(studioDir, "comfyui-client-id");
        try
        {
            if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: >= 8 and <= 64 } known) return known;
            var id = "comfystudio-" + Guid.NewGuid().ToString("N")[..12];
            File.WriteAllText(path, id);
            return id;
        }
        catch (IOException)
        {
            return "comfystudio-" + Guid.NewGuid().ToString("N")[..12];
        }
    }
}
