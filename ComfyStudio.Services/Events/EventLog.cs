using System.Text.Json;
using System.Text.Json.Nodes;
using ComfyStudio.Services.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Services.Events;

/// <summary>
/// Keeps the <c>events</c> table: every persistent event published on the bus is written there, and the
/// table is trimmed to the newest <see cref="Capacity"/> rows.
/// </summary>
public sealed class EventLog(IDbContextFactory<StudioDbContext> dbFactory, EventBus bus, ILogger<EventLog> logger)
    : IHostedService
{
    public const int Capacity = 1000;
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = bus.SubscribeDurable(evt => evt.Persist, WriteAsync); // the log never loses an event to a flood of live ticks
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    public async Task WriteAsync(StudioEvent evt)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            db.Events.Add(new EventRecord
            {
                Id = evt.Id, Type = evt.Type, Timestamp = evt.Timestamp, Severity = evt.Severity.Name(),
                Message = evt.Message, Data = evt.Data?.ToJsonString(),
            });
            await db.SaveChangesAsync();
            await db.Database.ExecuteSqlAsync(
                $"DELETE FROM events WHERE id NOT IN (SELECT id FROM events ORDER BY timestamp DESC, id DESC LIMIT {Capacity})");
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not record event {EventType}", evt.Type);
        }
    }

    /// <summary>The newest <c>limit</c> events matching the filters, oldest first.</summary>
    public async Task<IReadOnlyList<StudioEvent>> ReadAsync(EventQuery query, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        IQueryable<EventRecord> q = db.Events.AsNoTracking();
        if (query.Types is { Count: > 0 } types)
            q = q.Where(e => types.Contains(e.Type));
        if (query.Severity is { } severity)
        {
            var name = severity.Name();
            q = q.Where(e => e.Severity == name);
        }
        var rows = await q.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id)
            .Take(Math.Clamp(query.Limit, 1, EventQuery.MaxLimit)).ToListAsync(ct);
        rows.Reverse();
        return rows.Select(ToEvent).ToList();
    }

    private static StudioEvent ToEvent(EventRecord r)
    {
        var severity = EventSeverities.TryParse(r.Severity, out var known) ? known : EventSeverity.Info;
        JsonObject? data = null;
        if (!string.IsNullOrEmpty(r.Data))
        {
            try { data = JsonNode.Parse(r.Data) as JsonObject; }
            catch (JsonException) { data = null; }
        }
        return new RecordedEvent(r.Type, severity, r.Message, data) { Id = r.Id, Timestamp = DateTime.SpecifyKind(r.Timestamp, DateTimeKind.Utc) };
    }
}
