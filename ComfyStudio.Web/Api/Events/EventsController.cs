using System.Text.Json.Nodes;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Events;
using Microsoft.AspNetCore.Mvc;
using ComfyStudio.Services.Formatting;

namespace ComfyStudio.Web.Api.Events;

[ApiController]
[Route("api/admin/events")]
public sealed class EventsController(EventLog log) : ControllerBase
{
    public sealed record EventList(IReadOnlyList<EventResource> Events, int Total);

    /// <summary>The newest events, oldest first.</summary>
    /// <param name="limit">How many (1–1000, default 100).</param>
    /// <param name="types">Comma-separated event types, e.g. <c>system.backend.started,auth.key.created</c>.</param>
    /// <param name="severity">info, success, warning or error.</param>
    [HttpGet]
    public async Task<EventList> List([FromQuery] int? limit, [FromQuery] string? types, [FromQuery] string? severity, CancellationToken ct)
    {
        var n = limit ?? 100;
        if (n is < 1 or > EventQuery.MaxLimit)
            throw StudioException.Validation($"limit must be between 1 and {EventQuery.MaxLimit}");
        EventSeverity? sev = null;
        if (!string.IsNullOrWhiteSpace(severity))
        {
            if (!EventSeverities.TryParse(severity, out var s))
                throw StudioException.Validation("severity must be info, success, warning or error");
            sev = s;
        }
        var typeList = types?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var events = await log.ReadAsync(new EventQuery(n, typeList, sev), ct);
        return new EventList(events.Select(EventResource.From).ToList(), events.Count);
    }
}
