using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ComfyStudio.Services.Data;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Paging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ComfyStudio.Services.Configuration;

namespace ComfyStudio.Services.ComfyUi;

/// <summary>
/// The generations' record (the <c>jobs</c> table; this feature owns it): every prompt the studio queues, and those it
/// sees in ComfyUI's queue that someone else queued, with their progress, outputs and outcome. ComfyUI keeps its own
/// history in memory only, so this record is what survives its restarts; after either side restarts it is reconciled
/// with ComfyUI's <c>/queue</c> and <c>/history</c>, never guessed.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A singleton that lives as long as the process; a SemaphoreSlim without a wait handle holds nothing to release")]
public sealed class Generations(IDbContextFactory<StudioDbContext> dbFactory, ComfyUiClient comfyUi, EventBus bus, TimeProvider clock,
    IOptions<StudioOptions> studio, ILogger<Generations> logger)
{
    public const string SourceComfyUi = "comfyui";
    private const int MaxTracebackLines = 12;
    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly ConcurrentDictionary<string, (string? Node, int Value, int Max)> _live = new(StringComparer.Ordinal);

    /// <summary>The step a running generation is at, as ComfyUI last said (kept in memory: it changes many times a second).</summary>
    public (string? Node, int Value, int Max)? LiveProgress(string promptId) => _live.TryGetValue(promptId, out var p) ? p : null;

    /// <summary>
    /// Queues an API-format graph in ComfyUI under the studio's client id, recorded before it is sent (its id is chosen
    /// here), so no message about it can arrive before its row. A refusal removes the row again and is thrown:
    /// <c>INVALID_WORKFLOW</c> with ComfyUI's per-node errors, <c>QUEUE_FULL</c> at the pending cap,
    /// <c>COMFYUI_UNAVAILABLE</c> when ComfyUI does not answer.
    /// </summary>
    public async Task<(PromptQueued Queued, GenerationView View)> QueueAsync(JsonObject graph, string source, string? name, bool front,
        string clientId, int maxPending, CancellationToken ct = default)
    {
        var queue = await comfyUi.QueueAsync(ct)
                    ?? throw comfyUi.Unavailable();
        if (queue.Pending.Count >= maxPending)
            throw new StudioException(ErrorCodes.QueueFull, $"ComfyUI's queue already holds {queue.Pending.Count} waiting prompts (the most is {maxPending})",
                new Dictionary<string, object?> { ["pending"] = queue.Pending.Count, ["max_pending"] = maxPending });
        var promptId = Guid.NewGuid().ToString("D");
        await WriteAsync(db =>
        {
            db.Jobs.Add(new JobRecord
            {
                PromptId = promptId, WorkflowId = source, WorkflowName = name, Params = graph.ToJsonString(), Status = GenerationStates.Queued, QueuedAt = Now,
            });
            return Task.CompletedTask;
        }, ct);
        PromptQueued queued;
        try
        {
            queued = await comfyUi.QueuePromptAsync(promptId, graph, clientId, front, ct: ct);
        }
        catch
        {
            await WriteAsync(async db => db.Jobs.RemoveRange(await db.Jobs.Where(j => j.PromptId == promptId).ToListAsync(CancellationToken.None)), CancellationToken.None);
            throw;
        }
        await UpdateAsync(promptId, row => { row.Number = queued.Number; return true; }, ct);
        return (queued, (await GetAsync(promptId, ct))!);
    }

    /// <summary>
    /// Removes a finished generation from the record and, with <paramref name="withOutputs"/>, its images from ComfyUI's
    /// output folder: only files inside that folder (links followed), and never one another generation also shows (a
    /// cached run names the same file). Answers the files removed, or null when there is no such finished generation.
    /// </summary>
    public async Task<int?> DeleteAsync(string promptId, bool withOutputs = false, CancellationToken ct = default)
    {
        int? removed = null;
        await WriteAsync(async db =>
        {
            if (await db.Jobs.FindAsync([promptId], ct) is not { } row || !GenerationStates.IsFinished(row.Status)) return;
            removed = 0;
            if (withOutputs)
            {
                var root = Path.Combine(studio.Value.ComfyUiDir!, "output");
                foreach (var image in View(row).Images.Where(i => i["type"]?.ToString() == "output"))
                {
                    var name = image["filename"]?.ToString();
                    if (string.IsNullOrEmpty(name)) continue;
                    var shared = await db.Jobs.AnyAsync(j => j.PromptId != promptId && j.Outputs != null && j.Outputs.Contains(name), ct);
                    var relative = Path.Combine(image["subfolder"]?.ToString() ?? "", name);
                    if (shared || Downloads.ModelFolder.RealPathUnder(root, relative) is not { } full || !File.Exists(full)) continue;
                    File.Delete(full);
                    removed++;
                }
            }
            db.Jobs.Remove(row);
        }, ct);
        return removed;
    }

    public Task StartedAsync(string promptId, CancellationToken ct = default) => UpdateAsync(promptId, row =>
    {
        if (GenerationStates.IsFinished(row.Status)) return false;
        row.Status = GenerationStates.Running;
        row.StartedAt ??= Now;
        return true;
    }, ct, then: () => bus.Publish(new GenerationStarted(promptId)));

    /// <summary>A node started (<paramref name="node"/>) or stepped on; the node is recorded, the step kept in memory.</summary>
    public async Task ProgressAsync(string promptId, string? node, int value, int max, string kind, CancellationToken ct = default)
    {
        var before = _live.TryGetValue(promptId, out var p) ? p.Node : null;
        _live[promptId] = (node, value, max);
        bus.Publish(new GenerationProgressed(promptId, node, value, max, kind));
        if (before == node) return;
        await UpdateAsync(promptId, row =>
        {
            if (GenerationStates.IsFinished(row.Status)) return false;
            row.Status = GenerationStates.Running;
            row.StartedAt ??= Now;
            row.ProgressNode = node;
            return true;
        }, ct);
    }

    public async Task OutputAsync(string promptId, string node, JsonObject output, CancellationToken ct = default)
    {
        await UpdateAsync(promptId, row =>
        {
            var outputs = Parse(row.Outputs);
            outputs[node] = output.DeepClone();
            row.Outputs = outputs.ToJsonString();
            return true;
        }, ct);
        bus.Publish(new GenerationOutput(promptId, node, output));
    }

    /// <summary>The end of a run, from ComfyUI's live message.</summary>
    public Task FinishAsync(string promptId, string status, string? error = null, string? nodeId = null, string? nodeType = null,
        string? traceback = null, CancellationToken ct = default)
    {
        _live.TryRemove(promptId, out _);
        return UpdateAsync(promptId, row =>
        {
            if (GenerationStates.IsFinished(row.Status)) return false;
            Finish(row, status, Now, error, nodeId, nodeType, traceback);
            return true;
        }, ct, then: () => bus.Publish(new GenerationFinished(promptId, status, error, nodeId, nodeType)));
    }

    /// <summary>
    /// Takes waiting generations out of ComfyUI's queue. They are marked cancelled first, so the queue change this
    /// causes is not read as ComfyUI having forgotten them; if ComfyUI does not take them out, they are queued again.
    /// </summary>
    public async Task CancelAsync(IReadOnlyCollection<string> promptIds, CancellationToken ct = default)
    {
        var mine = new List<string>();
        await WriteAsync(async db =>
        {
            foreach (var row in await db.Jobs.Where(j => promptIds.Contains(j.PromptId) && j.Status == GenerationStates.Queued).ToListAsync(ct))
            {
                Finish(row, GenerationStates.Cancelled, Now, "taken out of the queue");
                mine.Add(row.PromptId);
            }
        }, ct);
        try
        {
            await comfyUi.DeletePendingAsync(promptIds, ct: ct);
        }
        catch
        {
            await WriteAsync(async db =>
            {
                foreach (var row in await db.Jobs.Where(j => mine.Contains(j.PromptId)).ToListAsync(CancellationToken.None))
                {
                    row.Status = GenerationStates.Queued;
                    row.FinishedAt = null;
                    row.Error = null;
                }
            }, CancellationToken.None);
            throw;
        }
        foreach (var id in mine) bus.Publish(new GenerationFinished(id, GenerationStates.Cancelled, "taken out of the queue"));
    }

    /// <summary>
    /// Brings the record in line with ComfyUI: what it finished meanwhile gets its real outcome and outputs (from
    /// <c>/history</c>), what it still holds is queued or running, and an unfinished generation it no longer knows is
    /// failed with that reason. Prompts queued by someone else are recorded too.
    /// </summary>
    public async Task ReconcileAsync(CancellationToken ct = default)
    {
        var queue = await comfyUi.QueueAsync(ct);
        if (queue is null) return; // ComfyUI is not answering: nothing is concluded from silence
        var history = await comfyUi.HistoryAsync(maxItems: 200, ct: ct);
        var inQueue = queue.Running.Select(q => (q, Running: true)).Concat(queue.Pending.Select(q => (q, Running: false)))
            .ToDictionary(x => x.q.PromptId, StringComparer.Ordinal);
        var finished = new List<GenerationFinished>();
        await WriteAsync(async db =>
        {
            var open = await db.Jobs.Where(j => j.Status == GenerationStates.Queued || j.Status == GenerationStates.Running).ToListAsync(ct);
            foreach (var row in open)
            {
                // Recorded and on its way to ComfyUI (its number comes with ComfyUI's answer): not for this round.
                if (row.Number is null && Now - row.QueuedAt < TimeSpan.FromMinutes(1)) continue;
                if (history.TryGetValue(row.PromptId, out var entry))
                {
                    ApplyHistory(row, entry);
                    finished.Add(new GenerationFinished(row.PromptId, row.Status, row.Error, row.ErrorNodeId, row.ErrorNodeType));
                }
                else if (inQueue.TryGetValue(row.PromptId, out var q))
                {
                    if (q.Running && row.Status == GenerationStates.Queued) { row.Status = GenerationStates.Running; row.StartedAt ??= Now; }
                }
                else
                {
                    Finish(row, GenerationStates.Failed, Now, "ComfyUI no longer knows this prompt: it restarted, or the prompt was removed, while the studio was not watching");
                    finished.Add(new GenerationFinished(row.PromptId, row.Status, row.Error));
                }
            }
            var known = (await db.Jobs.Select(j => j.PromptId).Where(id => inQueue.Keys.Contains(id) || history.Keys.Contains(id)).ToListAsync(ct))
                .ToHashSet(StringComparer.Ordinal);
            foreach (var (id, (q, running)) in inQueue.Where(kv => !known.Contains(kv.Key)))
                db.Jobs.Add(new JobRecord
                {
                    PromptId = id, WorkflowId = SourceComfyUi, Number = q.Number, Params = q.Prompt?.ToJsonString(),
                    Status = running ? GenerationStates.Running : GenerationStates.Queued, QueuedAt = Now, StartedAt = running ? Now : null,
                });
            foreach (var (id, entry) in history.Where(kv => !known.Contains(kv.Key) && !inQueue.ContainsKey(kv.Key)))
            {
                var row = new JobRecord
                {
                    PromptId = id, WorkflowId = SourceComfyUi, Number = (entry["prompt"] as JsonArray)?[0]?.GetValue<double>(),
                    Params = (entry["prompt"] as JsonArray)?[2]?.ToJsonString(), QueuedAt = Now,
                };
                ApplyHistory(row, entry);
                row.QueuedAt = row.StartedAt ?? Now;
                db.Jobs.Add(row);
            }
        }, ct);
        foreach (var f in finished)
        {
            _live.TryRemove(f.PromptId, out _);
            bus.Publish(f);
        }
        bus.Publish(new QueueChanged(queue.Pending.Count, queue.Running.Count, queue.Running.Count > 0 ? queue.Running[0].PromptId : null));
    }

    /// <summary>The newest first, filtered by status (one of <see cref="GenerationStates"/>), one page.</summary>
    public async Task<Page<GenerationView>> ListAsync(string? status, PageRequest page, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Jobs.AsNoTracking();
        if (status is not null) query = query.Where(j => j.Status == status);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(j => j.QueuedAt).ThenByDescending(j => j.Number).Skip(page.Skip).Take(page.PerPage).ToListAsync(ct);
        return page.Of([.. rows.Select(View)], total);
    }

    public async Task<GenerationView?> GetAsync(string promptId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.PromptId == promptId, ct) is { } row ? View(row) : null;
    }

    private GenerationView View(JobRecord r)
    {
        var live = r.Status == GenerationStates.Running ? LiveProgress(r.PromptId) : null;
        return new GenerationView(r.PromptId, r.Number, r.WorkflowId, r.WorkflowName, r.Status, r.QueuedAt, r.StartedAt, r.FinishedAt,
            live?.Node ?? r.ProgressNode, live?.Value ?? r.ProgressValue, live?.Max ?? r.ProgressMax, Parse(r.Outputs), r.Error,
            r.ErrorNodeId, r.ErrorNodeType, r.ErrorTraceback, r.Params is null ? null : JsonNode.Parse(r.Params) as JsonObject);
    }

    /// <summary>ComfyUI's history entry decides: success, an interrupt, or the node that raised.</summary>
    private static void ApplyHistory(JobRecord row, JsonObject entry)
    {
        var status = entry["status"] as JsonObject;
        var messages = (status?["messages"] as JsonArray ?? []).OfType<JsonArray>()
            .Where(m => m.Count == 2).ToDictionary(m => m[0]?.ToString() ?? "", m => m[1] as JsonObject, StringComparer.Ordinal);
        DateTime? At(string name) => messages.GetValueOrDefault(name)?["timestamp"] is JsonValue t && t.TryGetValue<long>(out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime : null;
        row.StartedAt ??= At("execution_start");
        if (entry["outputs"] is JsonObject outputs) row.Outputs = outputs.ToJsonString();
        var end = At("execution_success") ?? At("execution_error") ?? At("execution_interrupted") ?? DateTime.UtcNow;
        if (status?["status_str"]?.ToString() == "success")
            Finish(row, GenerationStates.Completed, end);
        else if (messages.GetValueOrDefault("execution_interrupted") is { } interrupted)
            Finish(row, GenerationStates.Interrupted, end, "interrupted", interrupted["node_id"]?.ToString(), interrupted["node_type"]?.ToString());
        else if (messages.GetValueOrDefault("execution_error") is { } error)
            Finish(row, GenerationStates.Failed, end, error["exception_message"]?.ToString(), error["node_id"]?.ToString(), error["node_type"]?.ToString(),
                Traceback(error));
        else
            Finish(row, GenerationStates.Failed, end, "ComfyUI recorded the prompt as not completed, without a reason");
    }

    /// <summary>The exception type and the last lines of ComfyUI's traceback.</summary>
    public static string? Traceback(JsonObject error)
    {
        var lines = (error["traceback"] as JsonArray ?? []).Select(l => l?.ToString() ?? "").ToList();
        var type = error["exception_type"]?.ToString();
        if (lines.Count == 0) return type;
        return (type is null ? "" : type + "\n") + string.Concat(lines.Skip(Math.Max(0, lines.Count - MaxTracebackLines)));
    }

    private static void Finish(JobRecord row, string status, DateTime at, string? error = null, string? nodeId = null, string? nodeType = null,
        string? traceback = null)
    {
        row.Status = status;
        row.FinishedAt = at;
        if (row.StartedAt is { } s) row.Duration = (int)Math.Round((at - s).TotalSeconds);
        row.Error = error;
        row.ErrorNodeId = nodeId;
        row.ErrorNodeType = nodeType;
        row.ErrorTraceback = traceback;
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private static JsonObject Parse(string? json) => json is null ? [] : JsonNode.Parse(json) as JsonObject ?? [];

    private async Task UpdateAsync(string promptId, Func<JobRecord, bool> change, CancellationToken ct, Action? then = null)
    {
        var changed = false;
        await WriteAsync(async db =>
        {
            if (await db.Jobs.FindAsync([promptId], ct) is { } row) changed = change(row);
        }, ct);
        if (changed) then?.Invoke();
    }

    private async Task WriteAsync(Func<StudioDbContext, Task> change, CancellationToken ct)
    {
        await _writes.WaitAsync(ct);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await change(db);
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e)
        {
            logger.LogWarning("Could not record a generation: {Reason}", e.InnerException?.Message ?? e.Message);
        }
        finally
        {
            _writes.Release();
        }
    }
}
