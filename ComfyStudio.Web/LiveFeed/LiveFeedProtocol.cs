using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Presets;
using ComfyStudio.Web.Api.Presets;

namespace ComfyStudio.Web.LiveFeed;

/// <summary>
/// What a client may send on the live feed and what it gets back: <c>subscribe</c> / <c>unsubscribe</c> to channels,
/// <c>ping</c>, and the <c>install_preset</c> action. Each message is parsed once; an action's failure is a
/// <see cref="StudioException"/> the socket loop turns into an <c>error</c> message.
/// </summary>
public static class LiveFeedProtocol
{
    public static readonly IReadOnlySet<string> Channels = new HashSet<string> { "downloads", "queue", "system", "workflows" };

    /// <summary>The channel an event belongs to.</summary>
    public static string ChannelOf(StudioEvent evt) => evt.Type switch
    {
        var t when t.StartsWith("download", StringComparison.Ordinal) || t.StartsWith("model.download", StringComparison.Ordinal) => "downloads",
        var t when t.StartsWith("queue", StringComparison.Ordinal) => "queue",
        var t when t.StartsWith("workflow", StringComparison.Ordinal) => "workflows",
        _ => "system",
    };

    /// <summary>Answers one client message.</summary>
    public static async Task<IReadOnlyList<LiveMessage>> AnswerAsync(
        string text, ConcurrentDictionary<string, bool> subscribed, IServiceProvider services, CancellationToken ct)
    {
        JsonObject? message;
        try { message = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject; }
        catch (Exception e) when (e is JsonException or ArgumentException) { message = null; }
        if (message is null || Text(message["type"]) is not { } type)
            return [LiveMessage.Error(ErrorCodes.ValidationError, "Each message is a JSON object with a string 'type'")];
        return type switch
        {
            "subscribe" or "unsubscribe" => [Subscribe(type, message["channels"], subscribed)],
            "ping" => [new LiveMessage("pong")],
            "action" => Text(message["action"]) switch
            {
                "install_preset" => [await InstallPresetAsync(message["data"] as JsonObject, services, ct)],
                var action => [LiveMessage.Error(ErrorCodes.ValidationError, $"Unknown action '{action ?? ""}'")],
            },
            _ => [LiveMessage.Error(ErrorCodes.ValidationError, $"Unknown message type '{type}'")],
        };
    }

    public sealed record ChannelList(IReadOnlyList<string> Channels);

    public sealed record UnknownChannels(IReadOnlyList<string> Available);

    private static LiveMessage Subscribe(string type, JsonNode? channels, ConcurrentDictionary<string, bool> subscribed)
    {
        if (channels is not JsonArray array || array.Any(c => Text(c) is null))
            return LiveMessage.Error(ErrorCodes.ValidationError, "'channels' must be an array of channel names");
        var names = array.Select(c => Text(c)!).ToList();
        var unknown = names.Where(n => !Channels.Contains(n)).ToList();
        if (unknown.Count > 0)
            return LiveMessage.Error(ErrorCodes.ValidationError, $"Unknown channel(s): {string.Join(", ", unknown)}",
                new UnknownChannels([.. Channels.Order(StringComparer.Ordinal)]));
        foreach (var n in names)
            if (type == "subscribe") subscribed[n] = true; else subscribed.TryRemove(n, out _);
        return new LiveMessage(type + "d", Data: new ChannelList([.. subscribed.Keys.Order(StringComparer.Ordinal)]));
    }

    /// <summary><c>{"type":"action","action":"install_preset","data":{"preset_id":…, "force"?, "priority"?}}</c>: what <c>POST /api/presets/{id}/install</c> does.</summary>
    private static async Task<LiveMessage> InstallPresetAsync(JsonObject? data, IServiceProvider services, CancellationToken ct)
    {
        if (Text(data?["preset_id"]) is not { } presetId)
            throw StudioException.Validation("install_preset needs data.preset_id (a string)");
        bool? force = data!["force"] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<bool>(out var b) => b,
            _ => throw StudioException.Validation("data.force must be true or false"),
        };
        var priority = data["priority"] switch
        {
            null => null,
            var p => Text(p) ?? throw StudioException.Validation("data.priority must be low, normal or high"),
        };
        var started = await services.GetRequiredService<PresetInstaller>().InstallAsync(presetId, force ?? false, priority, ct);
        return new LiveMessage("action_result", "install_preset", PresetInstallResult.From(started));
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
