using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace ComfyStudio.Services.Events;

/// <summary>info, success, warning or error (the System API's event severities).</summary>
public enum EventSeverity { Info, Success, Warning, Error }

/// <summary>
/// Something that happened in the product. Each concrete event is its own record type, so subscribers can
/// listen for exactly the events they care about; every event also has the System API's stored shape
/// (id, dotted type, timestamp, severity, message, data).
/// </summary>
public abstract record StudioEvent
{
    public string Id { get; init; } = "evt_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    public DateTime Timestamp { get; init; } = DateTime.UtcNow;
    /// <summary>Dotted type, e.g. <c>system.backend.started</c>.</summary>
    public abstract string Type { get; }
    public virtual EventSeverity Severity => EventSeverity.Info;
    public abstract string Message { get; }
    /// <summary>Extra fields, or null. Never holds a secret.</summary>
    public virtual JsonObject? Data => null;
    /// <summary>False for high-rate events (progress ticks) that go to live subscribers only.</summary>
    public virtual bool Persist => true;
}

/// <summary>An event read back from the log (its original record type is not kept).</summary>
public sealed record RecordedEvent(string RecordedType, EventSeverity RecordedSeverity, string RecordedMessage, JsonObject? RecordedData)
    : StudioEvent
{
    public override string Type => RecordedType;
    public override EventSeverity Severity => RecordedSeverity;
    public override string Message => RecordedMessage;
    public override JsonObject? Data => RecordedData;
}

public sealed record BackendStarted(string Version) : StudioEvent
{
    public override string Type => "system.backend.started";
    public override EventSeverity Severity => EventSeverity.Success;
    public override string Message => $"ComfyStudio {Version} started";
    public override JsonObject? Data => new() { ["version"] = Version };
}

public sealed record ApiKeyCreated(string Name) : StudioEvent
{
    public override string Type => "auth.key.created";
    public override string Message => $"API key '{Name}' created";
    public override JsonObject? Data => new() { ["name"] = Name };
}

public sealed record ApiKeyRevoked(string Name) : StudioEvent
{
    public override string Type => "auth.key.revoked";
    public override EventSeverity Severity => EventSeverity.Warning;
    public override string Message => $"API key '{Name}' revoked";
    public override JsonObject? Data => new() { ["name"] = Name };
}

public sealed record LoginThrottled(string Client, TimeSpan For) : StudioEvent
{
    public override string Type => "auth.login.throttled";
    public override EventSeverity Severity => EventSeverity.Warning;
    public override string Message => $"Too many failed logins from {Client}; locked for {(int)For.TotalSeconds}s";
    public override JsonObject? Data => new() { ["client"] = Client, ["seconds"] = (int)For.TotalSeconds };
}

public static class EventSeverities
{
    public static string Name(this EventSeverity s) => s.ToString().ToLowerInvariant();

    public static bool TryParse(string? value, out EventSeverity severity) =>
        (severity = value?.Trim().ToLowerInvariant() switch
        {
            "info" => EventSeverity.Info, "success" => EventSeverity.Success,
            "warning" => EventSeverity.Warning, "error" => EventSeverity.Error, _ => (EventSeverity)(-1),
        }) >= 0;
}
