using ComfyStudio.Services.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Telemetry;

/// <summary>
/// Takes a <see cref="TelemetrySnapshot"/> every <see cref="TelemetryOptions.SampleInterval"/> (the first at
/// start), keeps the last <see cref="TelemetryOptions.HistoryLength"/> of them and publishes each as
/// <see cref="TelemetrySampled"/> on the event bus.
/// </summary>
public sealed class TelemetrySampler(
    TelemetryReader reader, EventBus bus, IOptions<TelemetryOptions> options, TimeProvider clock, ILogger<TelemetrySampler> logger)
    : BackgroundService
{
    private readonly TelemetryOptions _options = options.Value;
    private readonly Lock _lock = new();
    private TelemetrySnapshot[] _history = [];

    /// <summary>The samples of the last <see cref="TelemetryOptions.HistoryLength"/>, oldest first (a copy: safe to keep).</summary>
    public IReadOnlyList<TelemetrySnapshot> History => Volatile.Read(ref _history);

    /// <summary>The newest sample, or null before the first.</summary>
    public TelemetrySnapshot? Latest => Volatile.Read(ref _history) is { Length: > 0 } h ? h[^1] : null;

    /// <summary>The most samples the history holds: one per interval over its length, plus the one that starts it.</summary>
    public int Capacity => (int)Math.Clamp(
        Math.Ceiling(_options.HistoryLength / Positive(_options.SampleInterval)) + 1, 1, 100_000);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Positive(_options.SampleInterval), clock);
        do
        {
            try
            {
                var snapshot = await reader.ReadAsync(stoppingToken);
                Add(snapshot);
                bus.Publish(new TelemetrySampled(snapshot));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "A telemetry sample failed");
            }
        } while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }

    private void Add(TelemetrySnapshot snapshot)
    {
        lock (_lock)
        {
            var oldest = snapshot.TakenAt - _options.HistoryLength;
            var kept = _history.Where(s => s.TakenAt >= oldest && s.TakenAt <= snapshot.TakenAt)
                .TakeLast(Capacity - 1).Append(snapshot).ToArray();
            Volatile.Write(ref _history, kept);
        }
    }

    private static TimeSpan Positive(TimeSpan interval) => interval > TimeSpan.Zero ? interval : TimeSpan.FromSeconds(1);
}
