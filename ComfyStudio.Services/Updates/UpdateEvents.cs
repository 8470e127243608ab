using System.Text.Json.Nodes;
using ComfyStudio.Services.Events;

namespace ComfyStudio.Services.Updates;

/// <summary>An update deployed these components (the System API's <c>system.updated</c>).</summary>
public sealed record StudioUpdated(IReadOnlyList<string> Components, bool RestartNeeded, string AppVersion) : StudioEvent
{
    public override string Type => "system.updated";
    public override EventSeverity Severity => EventSeverity.Success;
    public override string Message => $"Updated to {AppVersion}: {string.Join(", ", Components)}{(RestartNeeded ? " (restarting)" : "")}";
    public override JsonObject? Data => new()
    {
        ["components"] = new JsonArray([.. Components.Select(c => JsonValue.Create(c))]),
        ["restart_needed"] = RestartNeeded, ["app_version"] = AppVersion,
    };
}

/// <summary>An update failed; nothing was changed.</summary>
public sealed record StudioUpdateFailed(string Reason) : StudioEvent
{
    public override string Type => "system.update.failed";
    public override EventSeverity Severity => EventSeverity.Error;
    public override string Message => "Update failed: " + Reason;
    public override JsonObject? Data => new() { ["reason"] = Reason };
}

/// <summary>The release repository holds newer components than this install (the dashboard shows a banner).</summary>
public sealed record UpdateAvailable(string RemoteAppVersion, IReadOnlyList<string> Components) : StudioEvent
{
    public override string Type => "system.update.available";
    public override string Message => $"Update available: {RemoteAppVersion} ({string.Join(", ", Components)})";
    public override JsonObject? Data => new()
    {
        ["app_version"] = RemoteAppVersion, ["components"] = new JsonArray([.. Components.Select(c => JsonValue.Create(c))]),
    };
}

/// <summary>A step of a running update, for the System page (not stored).</summary>
public sealed record UpdateProgress(string Step) : StudioEvent
{
    public override string Type => "system.update.progress";
    public override string Message => Step;
    public override bool Persist => false;
}

/// <summary>Maintenance mode began or ended (not stored).</summary>
public sealed record MaintenanceChanged(bool On, string? Reason) : StudioEvent
{
    public override string Type => "system.maintenance";
    public override EventSeverity Severity => On ? EventSeverity.Warning : EventSeverity.Info;
    public override string Message => On ? "Maintenance: " + Reason : "Maintenance over";
    public override bool Persist => false;
}
