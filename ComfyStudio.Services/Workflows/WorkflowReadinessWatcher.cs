using ComfyStudio.Services.ComfyUi;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Services.Workflows;

/// <summary>
/// Keeps each workflow's readiness and says when it changes (<see cref="WorkflowReadinessChanged"/>, the live feed's
/// <c>workflow_readiness</c>): rechecked when the models index changes, a download ends, ComfyUI reconnects (its node
/// list may have changed) or a workflow is saved, a moment after the last of them so a burst is one recheck.
/// </summary>
public sealed class WorkflowReadinessWatcher(WorkflowLibrary library, WorkflowModels models, EventBus bus, ILogger<WorkflowReadinessWatcher> logger)
    : IHostedService, IDisposable
{
    /// <summary>How long after the last trigger the workflows are rechecked.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(500);

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _checking = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private Dictionary<string, WorkflowReadiness>? _known;
    private IDisposable? _subscription;
    private Timer? _timer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = new Timer(_ => _ = RecheckAsync(), null, Timeout.Infinite, Timeout.Infinite);
        _subscription = bus.Subscribe(e => e is ModelsIndexChanged or WorkflowSaved or WorkflowDeleted or ComfyUiConnectionChanged { Connected: true }
                                           or Downloads.DownloadCompleted or Presets.PresetInstalled, _ =>
        {
            lock (_lock) _timer?.Change(Settle, Timeout.InfiniteTimeSpan);
            return Task.CompletedTask;
        });
        lock (_lock) _timer.Change(Settle, Timeout.InfiniteTimeSpan); // the first check is the baseline: it announces nothing
        return Task.CompletedTask;
    }

    /// <summary>Rechecks every workflow and publishes those whose readiness changed since the last check.</summary>
    public async Task RecheckAsync()
    {
        try
        {
            await _checking.WaitAsync(_stopping.Token);
        }
        catch (OperationCanceledException) { return; }
        try
        {
            var entries = library.List();
            var graphs = library.Graphs([.. entries.Select(e => e.Id)]);
            var now = new Dictionary<string, WorkflowReadiness>(await models.CheckAllAsync(graphs, _stopping.Token), StringComparer.Ordinal);
            var before = _known;
            _known = now;
            if (before is null) return;
            foreach (var (id, readiness) in now)
                if (!before.TryGetValue(id, out var was) || !Same(was, readiness)) // a new one too: what it showed when saved may be stale already
                    bus.Publish(new WorkflowReadinessChanged(id, graphs[id].Entry.Name, readiness));
        }
        catch (OperationCanceledException) { }
        catch (Exception e) { logger.LogWarning("Workflow readiness: the recheck failed ({Reason})", e.Message); }
        finally { _checking.Release(); }
    }

    /// <summary>What a workflow misses, in words: "2 model files and 1 node class".</summary>
    public static string Describe(WorkflowReadiness r)
    {
        var models = r.Missing.Count();
        var parts = new List<string>();
        if (models > 0) parts.Add(models == 1 ? "1 model file" : $"{models} model files");
        if (r.MissingNodes.Count > 0) parts.Add(r.MissingNodes.Count == 1 ? "1 node class" : $"{r.MissingNodes.Count} node classes");
        return parts.Count == 0 ? "nothing" : string.Join(" and ", parts);
    }

    private static bool Same(WorkflowReadiness a, WorkflowReadiness b) =>
        a.Ready == b.Ready && a.Missing.Select(m => m.Path).SequenceEqual(b.Missing.Select(m => m.Path)) && a.MissingNodes.SequenceEqual(b.MissingNodes);

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (!_stopping.IsCancellationRequested) _stopping.Cancel();
            _timer?.Dispose();
            _timer = null;
        }
        Interlocked.Exchange(ref _subscription, null)?.Dispose();
    }
}
