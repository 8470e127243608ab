using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Services.Models;

/// <summary>
/// Keeps the models index current without a rescan on every listing: a file-system watcher on each root, and the
/// download engine's completions, mark it changed; the next listing then re-reads only what changed.
/// </summary>
public sealed class ModelWatcher(ModelLibrary library, ModelFolder models, EventBus bus, ILogger<ModelWatcher> logger) : IHostedService, IDisposable
{
    private readonly Lock _lock = new();
    private List<FileSystemWatcher> _watchers = [];
    private bool _stopped;
    private IDisposable? _downloads;
    private readonly CancellationTokenSource _stopping = new(); // cancelled at stop, never disposed: the scan at start may still read it

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // The first scan reads every header (seconds for thousands of files): done in the background at start, so the
        // Models page and the API find the index warm.
        _ = Task.Run(async () =>
        {
            try
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var (files, read) = await library.RescanAsync(_stopping.Token);
                logger.LogInformation("Models index: {Files} files, {Read} headers read (changed since the last start) in {Ms} ms",
                    files, read, (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (OperationCanceledException) { }
            catch (Exception e) { logger.LogWarning("Models index: the scan at start failed ({Reason}); the first listing scans again", e.Message); }
        }, CancellationToken.None);
        _downloads = bus.SubscribeDurable(e => e is DownloadCompleted or DownloadFailed or DownloadStateChanged, _ =>
        {
            library.Invalidate();
            return Task.CompletedTask;
        });
        // ComfyUI's models folder is watched even before its first file: a model copied in later is still heard of.
        try { Directory.CreateDirectory(models.Root); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { logger.LogDebug("Cannot create {Folder}: {Reason}", models.Root, e.Message); }
        foreach (var folder in library.RootFolders())
        {
            if (!Directory.Exists(folder)) continue;
            try
            {
                var watcher = new FileSystemWatcher(folder) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.Size | NotifyFilters.LastWrite };
                watcher.Created += (_, _) => Touched();
                watcher.Deleted += (_, _) => Touched();
                watcher.Renamed += (_, _) => Touched();
                watcher.Changed += (_, _) => Touched();
                watcher.Error += (_, e) => { Touched(); logger.LogDebug("Model folder watcher: {Reason}", e.GetException().Message); };
                watcher.EnableRaisingEvents = true;
                lock (_lock)
                {
                    if (_stopped) { watcher.Dispose(); break; }
                    _watchers.Add(watcher);
                }
            }
            catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
            {
                logger.LogDebug("Cannot watch {Folder}: {Reason}; the index is rescanned on its age instead", folder, e.Message);
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// A file changed in a model folder: the index is stale, and rescanned once the changes settle (a copy writes for a
    /// while), so what listens for <see cref="ModelsIndexChanged"/> (a workflow's readiness) hears of it without a listing.
    /// </summary>
    private void Touched()
    {
        library.Invalidate();
        lock (_lock)
        {
            if (_stopped) return;
            _settle ??= new Timer(_ => _ = RescanSettledAsync(), null, Timeout.Infinite, Timeout.Infinite);
            _settle.Change(SettleTime, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>How long the folders stay quiet before a change is rescanned.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(2);

    private Timer? _settle;

    private async Task RescanSettledAsync()
    {
        try { await library.RescanAsync(_stopping.Token); }
        catch (OperationCanceledException) { }
        catch (Exception e) { logger.LogDebug("Models index: the rescan after a change failed ({Reason}); the next listing scans again", e.Message); }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        List<FileSystemWatcher> watchers;
        lock (_lock)
        {
            if (!_stopped) _stopping.Cancel();
            _stopped = true;
            watchers = _watchers;
            _watchers = [];
        }
        Interlocked.Exchange(ref _downloads, null)?.Dispose();
        Interlocked.Exchange(ref _settle, null)?.Dispose();
        foreach (var w in watchers) w.Dispose();
    }
}
