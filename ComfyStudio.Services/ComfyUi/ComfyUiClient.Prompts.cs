using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComfyStudio.Services.Errors;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Services.ComfyUi;

/// <summary>ComfyUI's queueing, history and file routes. A ComfyUI that does not answer is <c>COMFYUI_UNAVAILABLE</c> (503).</summary>
public sealed partial class ComfyUiClient
{
    /// <summary>How long a call that changes ComfyUI's queue, or reads its history, may take.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// <c>POST /prompt</c>: validates and queues an API-format graph under <paramref name="clientId"/> (so its progress
    /// comes to the studio's socket). ComfyUI's 400 becomes <c>INVALID_WORKFLOW</c> with its error and per-node errors.
    /// </summary>
    public async Task<PromptQueued> QueuePromptAsync(string promptId, JsonObject prompt, string clientId, bool front = false, JsonObject? extraData = null,
        CancellationToken ct = default)
    {
        var body = new JsonObject { ["prompt"] = prompt.DeepClone(), ["client_id"] = clientId, ["prompt_id"] = promptId };
        if (front) body["front"] = true;
        if (extraData is not null) body["extra_data"] = extraData.DeepClone();
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, "prompt") { Content = JsonContent.Create(body) }, ct);
        var answer = await ReadObjectAsync(response, ct);
        if (response.StatusCode == HttpStatusCode.BadRequest)
            throw InvalidWorkflow(answer);
        if (!response.IsSuccessStatusCode || answer?["prompt_id"] is not JsonValue id || !id.TryGetValue<string>(out var queuedId) || queuedId != promptId)
            throw Unavailable($"/prompt answered {(int)response.StatusCode}");
        var number = answer["number"] is JsonValue n && n.TryGetValue<double>(out var d) ? d : 0;
        return new PromptQueued(promptId, number, answer["node_errors"] as JsonObject is { Count: > 0 } errors ? NodeErrors(errors) : []);
    }

    /// <summary><c>POST /interrupt</c>: stops the running prompt (only <paramref name="promptId"/> when given).</summary>
    public async Task InterruptAsync(string? promptId = null, CancellationToken ct = default)
    {
        var body = promptId is null ? new JsonObject() : new JsonObject { ["prompt_id"] = promptId };
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, "interrupt") { Content = JsonContent.Create(body) }, ct);
        EnsureAnswered(response, "/interrupt");
    }

    /// <summary><c>POST /queue</c>: takes pending prompts out of the queue (all of them with <paramref name="clear"/>).</summary>
    public async Task DeletePendingAsync(IReadOnlyCollection<string>? promptIds, bool clear = false, CancellationToken ct = default)
    {
        var body = new JsonObject();
        if (clear) body["clear"] = true;
        if (promptIds is { Count: > 0 }) body["delete"] = new JsonArray([.. promptIds.Select(p => (JsonNode)p)]);
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, "queue") { Content = JsonContent.Create(body) }, ct);
        EnsureAnswered(response, "/queue");
    }

    /// <summary>
    /// <c>GET /history</c> (or one prompt's): prompt id → ComfyUI's history entry; empty for a prompt ComfyUI does not
    /// know or that has not finished.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, JsonObject>> HistoryAsync(string? promptId = null, int? maxItems = null, CancellationToken ct = default)
    {
        var path = promptId is null ? maxItems is { } n ? $"history?max_items={n}" : "history" : "history/" + Uri.EscapeDataString(promptId);
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, path), ct);
        EnsureAnswered(response, "/history");
        var answer = await ReadObjectAsync(response, ct) ?? throw Unavailable("/history is not ComfyUI's JSON");
        return answer.Where(kv => kv.Value is JsonObject).ToDictionary(kv => kv.Key, kv => (JsonObject)kv.Value!, StringComparer.Ordinal);
    }

    /// <summary>
    /// <c>GET /view</c>: an output, input or temp file, streamed (the caller disposes the answer). Null when ComfyUI
    /// has no such file.
    /// </summary>
    public async Task<HttpResponseMessage?> ViewAsync(string filename, string? subfolder, string type, string? preview, CancellationToken ct = default)
    {
        var query = $"view?filename={Uri.EscapeDataString(filename)}&type={Uri.EscapeDataString(type)}";
        if (!string.IsNullOrEmpty(subfolder)) query += "&subfolder=" + Uri.EscapeDataString(subfolder);
        if (!string.IsNullOrEmpty(preview)) query += "&preview=" + Uri.EscapeDataString(preview);
        var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, query), ct, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode == HttpStatusCode.NotFound) { response.Dispose(); return null; }
        if (!response.IsSuccessStatusCode)
        {
            var status = (int)response.StatusCode;
            response.Dispose();
            throw status is 400 or 403 ? StudioException.Validation("ComfyUI refused the file's name or folder") : Unavailable($"/view answered {status}");
        }
        return response;
    }

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> request, CancellationToken ct,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CallTimeout);
        try
        {
            using var message = request();
            return await http.SendAsync(message, completion, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogDebug("ComfyUI did not answer at {Url}: {Reason}", http.BaseAddress, e.Message);
            throw Unavailable(e is OperationCanceledException ? "no answer in time" : e.Message);
        }
    }

    private static async Task<JsonObject?> ReadObjectAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private void EnsureAnswered(HttpResponseMessage response, string route)
    {
        if (!response.IsSuccessStatusCode) throw Unavailable($"{route} answered {(int)response.StatusCode}");
    }

    /// <summary>The 503 <c>COMFYUI_UNAVAILABLE</c> every route that needs ComfyUI answers when it does not (with why, when known).</summary>
    public StudioException Unavailable(string? reason = null) =>
        new(ErrorCodes.ComfyUiUnavailable, $"ComfyUI is not responding at {http.BaseAddress}{(reason is null ? "" : ": " + reason)}");

    /// <summary>ComfyUI's 400: its error in words, and each node's errors (node id, class, input, message) in <c>details</c>.</summary>
    private static StudioException InvalidWorkflow(JsonObject? answer)
    {
        var error = answer?["error"] as JsonObject;
        var message = error?["message"]?.ToString() ?? "ComfyUI refused the workflow";
        var nodes = answer?["node_errors"] as JsonObject is { } errors ? NodeErrors(errors) : [];
        var details = new Dictionary<string, object?>
        {
            ["type"] = error?["type"]?.ToString(),
            ["comfyui_message"] = message,
            ["comfyui_details"] = error?["details"]?.ToString(),
            ["node_errors"] = nodes,
        };
        var text = nodes.Count == 0 ? message : $"{message}: " + string.Join("; ", nodes.Select(n => $"node {n.NodeId} ({n.ClassType}) {n.Input}: {n.Message}"));
        return new StudioException(ErrorCodes.InvalidWorkflow, text, details);
    }

    private static List<NodeError> NodeErrors(JsonObject nodeErrors) =>
    [
        .. nodeErrors.Where(kv => kv.Value is JsonObject).SelectMany(kv =>
        {
            var node = (JsonObject)kv.Value!;
            var classType = node["class_type"]?.ToString() ?? "";
            return (node["errors"] as JsonArray ?? []).OfType<JsonObject>().Select(e => new NodeError(
                kv.Key, classType, e["extra_info"]?["input_name"]?.ToString(), e["type"]?.ToString() ?? "",
                e["details"] is { } d && d.ToString() is { Length: > 0 } detail ? $"{e["message"]}: {detail}" : e["message"]?.ToString() ?? ""));
        }),
    ];
}
