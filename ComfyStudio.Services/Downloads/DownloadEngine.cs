using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Data;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Formatting;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Settings;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Downloads;

/// <summary>
/// The download engine: takes requests, runs each download as a Hangfire job, fetches at most <c>max_concurrent</c>
/// files at once (the setting applies live), fetches a file wanted by several downloads once, pauses, resumes and
/// cancels, and pushes live progress. After a restart every unfinished, unpaused download resumes by itself.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A singleton that lives as long as the process; disposing its stop signal at shutdown would race the jobs still stopping, and a cancelled token source holds nothing once cancelled")]
public sealed partial class DownloadEngine(
    IDbContextFactory<StudioDbContext> dbFactory, IOptions<DownloadOptions> options,
    StudioSettings settings, DiskSpace diskSpace, ModelFolder folder, IServiceProvider services, EventBus bus, TimeProvider clock,
    IHostApplicationLifetime lifetime, ILogger<DownloadEngine> logger) : IHostedService
{
    private const int MaxFiles = 1000;
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<string, RunningDownload> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<int, SharedTransfer> _transfers = [];
    private readonly ConcurrencyGate _gate = new(settings.MaxConcurrent);
    private readonly CancellationTokenSource _stopping = new();
    private IDisposable? _concurrencySubscription;
    private Task? _ticker;

    private string ModelsDir => folder.Root;

    /// <summary>Files being fetched right now (at most the gate's limit).</summary>
    public int ActiveTransfers => _gate.Inside;
    public int ConcurrencyLimit => _gate.Limit;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _concurrencySubscription = bus.SubscribeDurable<MaxConcurrentChanged>(e => { _gate.SetLimit(e.Value); return Task.CompletedTask; });
        _gate.SetLimit(settings.MaxConcurrent);
        _ticker = Task.Run(() => TickAsync(_stopping.Token), CancellationToken.None);
        await ResumeUnfinishedAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        _concurrencySubscription?.Dispose();
        if (_ticker is not null) await _ticker.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private sealed class SharedTransfer(int fileId, FileProgress progress, int priority, CancellationToken stopping)
    {
        public int FileId { get; } = fileId;
        /// <summary>The priority of the download that started it: a higher one gets a free slot first.</summary>
        public int Priority { get; } = priority;
        public FileProgress Progress { get; } = progress;
        public HashSet<string> Wanters { get; } = new(StringComparer.Ordinal);
        /// <summary>Cancelled when no download wants the file any more, or the app stops.</summary>
        public CancellationTokenSource Stop { get; } = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        public Task Task { get; set; } = Task.CompletedTask;
    }

    private sealed class RunningDownload(string id, DateTimeOffset startedAt) : IDisposable
    {
        private long _lastBytes = -1;
        private DateTimeOffset _lastAt = startedAt;

        public string Id { get; } = id;
        public string Name { get; set; } = "";
        public string? PresetId { get; set; }
        public int Priority { get; set; }
        public DateTimeOffset StartedAt { get; } = startedAt;
        public ConcurrentDictionary<int, FileProgress> Files { get; } = new();
        public CancellationTokenSource Stop { get; } = new();
        /// <summary>Hangfire aborted the run's job: a new job is enqueued once the run has ended.</summary>
        public bool Requeue { get; set; }
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        /// <summary>Bytes per second, smoothed.</summary>
        public double Speed { get; private set; }

        public void Sample(DateTimeOffset now)
        {
            var bytes = Files.Values.Sum(f => f.Done);
            var seconds = (now - _lastAt).TotalSeconds;
            if (_lastBytes >= 0 && seconds > 0)
            {
                var instant = Math.Max(0, bytes - _lastBytes) / seconds;
                Speed = Speed == 0 ? instant : 0.7 * Speed + 0.3 * instant;
            }
            _lastBytes = bytes;
            _lastAt = now;
        }

        public void Dispose() => Stop.Dispose();
    }
}
