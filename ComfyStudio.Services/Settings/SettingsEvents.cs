using System.Text.Json.Nodes;
using ComfyStudio.Services.Events;

namespace ComfyStudio.Services.Settings;

/// <summary>An editable variable changed (its value is never part of the event).</summary>
public sealed record SettingChanged(string Key) : StudioEvent
{
    public override string Type => "settings.changed";
    public override string Message => $"{Key} changed from Settings";
    public override JsonObject? Data => new() { ["key"] = Key };
}

/// <summary>The download concurrency changed; the download engine applies it at once.</summary>
public sealed record MaxConcurrentChanged(int Value) : StudioEvent
{
    public override string Type => "settings.max_concurrent";
    public override string Message => $"Concurrent downloads set to {Value}";
    public override JsonObject? Data => new() { ["max_concurrent"] = Value };
}

public sealed record SecretsRevealed(string By, IReadOnlyList<string> Keys) : StudioEvent
{
    public override string Type => "settings.secrets.revealed";
    public override EventSeverity Severity => EventSeverity.Warning;
    public override string Message => $"Secrets revealed to {By}";
    public override JsonObject? Data => new() { ["by"] = By, ["keys"] = new JsonArray([.. Keys.Select(k => JsonValue.Create(k))]) };
}

public sealed record SecretsRevealRefused(string By) : StudioEvent
{
    public override string Type => "settings.secrets.refused";
    public override EventSeverity Severity => EventSeverity.Warning;
    public override string Message => $"Reveal of secrets refused to {By}: wrong API key";
    public override JsonObject? Data => new() { ["by"] = By };
}
