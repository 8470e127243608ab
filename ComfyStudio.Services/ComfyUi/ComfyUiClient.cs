using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Services.ComfyUi;

/// <summary>
/// ComfyUI's HTTP API (<c>COMFYUI_URL</c>), as <c>reference/comfyui-server-api.md</c> records it. Every call has a
/// short time limit: a stopped or hung ComfyUI makes a page say so, never hang.
/// </summary>
public sealed partial class ComfyUiClient(HttpClient http, ILogger<ComfyUiClient> logger)
{
    public const string CorePackage = "ComfyUI Core";
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    public Uri? BaseAddress => http.BaseAddress;

    /// <summary>Asks <c>/system_stats</c>: running when it answers 200 with ComfyUI's shape.</summary>
    public async Task<ComfyUiProbe> ProbeAsync(CancellationToken ct = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            using var response = await http.GetAsync("system_stats", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
                return new ComfyUiProbe(ComfyUiProbe.Failing, null, $"/system_stats answered {(int)response.StatusCode}", null);
            var stats = await response.Content.ReadFromJsonAsync<JsonObject>(timeout.Token);
            if (stats?["system"] is not JsonObject system)
                return new ComfyUiProbe(ComfyUiProbe.Failing, null, "/system_stats has no system section", null);
            return new ComfyUiProbe(ComfyUiProbe.Running, system["comfyui_version"]?.GetValue<string>(), null, stats);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            return new ComfyUiProbe(ComfyUiProbe.Failing, null, "/system_stats is not ComfyUI's JSON", null);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogDebug("ComfyUI is unreachable at {Url}: {Reason}", http.BaseAddress, e.Message);
            return new ComfyUiProbe(ComfyUiProbe.Unreachable, null, e is OperationCanceledException ? "no answer in time" : e.Message, null);
        }
    }

    /// <summary>ComfyUI's <c>/object_info</c> (every node class with its inputs and outputs); null when ComfyUI does not answer.</summary>
    public async Task<JsonObject?> ObjectInfoAsync(CancellationToken ct = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10)); // object_info lists every node: larger and slower than a probe
        try
        {
            return await http.GetFromJsonAsync<JsonObject>("object_info", timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or NotSupportedException or InvalidOperationException
                                      or OperationCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogDebug("ComfyUI's /object_info is unavailable: {Reason}", e.Message);
            return null;
        }
    }

    /// <summary>Node packages from <c>/object_info</c>; null when ComfyUI does not answer.</summary>
    public async Task<IReadOnlyList<NodePackage>?> NodePackagesAsync(CancellationToken ct = default) =>
        await ObjectInfoAsync(ct) is { } info ? GroupByPackage(info) : null;

    /// <summary>
    /// ComfyUI's queue from <c>/queue</c>: the running prompt(s) and the pending ones by number (ComfyUI sends its
    /// heap array unsorted); null when ComfyUI does not answer as ComfyUI.
    /// </summary>
    public async Task<ComfyUiQueue?> QueueAsync(CancellationToken ct = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            var queue = await http.GetFromJsonAsync<JsonObject>("queue", timeout.Token);
            if (queue?["queue_running"] is not JsonArray running || queue["queue_pending"] is not JsonArray pending) return null;
            return new ComfyUiQueue(Items(running), Items(pending));
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or NotSupportedException or InvalidOperationException or FormatException
                                      or OperationCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogDebug("ComfyUI's /queue is unavailable: {Reason}", e.Message);
            return null;
        }

        // Each item is [number, prompt_id, prompt, extra_data, outputs_to_execute].
        static IReadOnlyList<QueuedPrompt> Items(JsonArray items) => items
            .OfType<JsonArray>()
            .Where(i => i.Count >= 2)
            .Select(i => new QueuedPrompt(i[1]!.GetValue<string>(), (long)i[0]!.GetValue<double>(),
                i.Count > 2 ? i[2] as JsonObject : null, i.Count > 3 && i[3]?["client_id"] is JsonValue c && c.TryGetValue<string>(out var id) ? id : null))
            .OrderBy(i => i.Number)
            .ToList();
    }

    public static IReadOnlyList<NodePackage> GroupByPackage(JsonObject objectInfo) => objectInfo
        .Select(kv => kv.Value is JsonObject node && node["python_module"] is JsonValue m && m.TryGetValue<string>(out var module) ? module : "")
        .Select(PackageOf)
        .GroupBy(p => p, StringComparer.Ordinal)
        .Select(g => new NodePackage(g.Key, g.Count()))
        .OrderBy(p => p.Name == CorePackage ? 0 : 1).ThenBy(p => p.Name, StringComparer.OrdinalIgnoreCase)
        .ToList();

    /// <summary><c>custom_nodes.ComfyUI-Manager</c> → <c>ComfyUI-Manager</c>; <c>nodes</c>, <c>comfy_extras.*</c>, <c>comfy_api_nodes.*</c> → core.</summary>
    public static string PackageOf(string pythonModule)
    {
        const string Prefix = "custom_nodes.";
        if (!pythonModule.StartsWith(Prefix, StringComparison.Ordinal)) return CorePackage;
        var rest = pythonModule[Prefix.Length..];
        var dot = rest.IndexOf('.');
        return dot < 0 ? rest : rest[..dot];
    }
}
