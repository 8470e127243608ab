namespace ComfyStudio.Services.Telemetry;

/// <summary>The GPU reader: nvidia-smi with a time limit, one reading shared for a moment, and a missing nvidia-smi looked for again once a minute.</summary>
public sealed partial class TelemetryReader
{
    private static readonly TimeSpan NotInstalledRetryAfter = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _gpuGate = new(1, 1);
    private volatile GpuCache? _gpuCache;
    private sealed record GpuCache(DateTimeOffset Until, IReadOnlyList<GpuReading>? Gpus);


    /// <summary>The GPUs nvidia-smi lists, or null when it is absent, fails, times out or lists none.</summary>
    public async Task<IReadOnlyList<GpuReading>?> ReadGpusAsync(CancellationToken ct = default)
    {
        if (_gpuCache is { } fresh && _clock.GetUtcNow() < fresh.Until) return fresh.Gpus;
        await _gpuGate.WaitAsync(ct);
        try
        {
            // Whoever waited while another caller ran nvidia-smi takes that caller's answer.
            if (_gpuCache is { } cached && _clock.GetUtcNow() < cached.Until) return cached.Gpus;
            var (gpus, keepFor) = await QueryGpusAsync(ct);
            _gpuCache = new GpuCache(_clock.GetUtcNow() + keepFor, gpus);
            return gpus;
        }
        finally
        {
            _gpuGate.Release();
        }
    }

    private async Task<(IReadOnlyList<GpuReading>? Gpus, TimeSpan KeepFor)> QueryGpusAsync(CancellationToken ct)
    {
        try
        {
            var run = await ExternalProgram.RunAsync(_options.NvidiaSmiPath, NvidiaSmi.Arguments, _options.NvidiaSmiTimeout, ct);
            switch (run.Outcome)
            {
                case ProgramOutcome.NotStarted:
                    Note("gpu.absent", $"nvidia-smi ('{_options.NvidiaSmiPath}') could not be started; no GPU figures");
                    return (null, Max(NotInstalledRetryAfter, _options.GpuCacheFor));
                case ProgramOutcome.TimedOut:
                    Note("gpu.timeout", $"nvidia-smi ran longer than {_options.NvidiaSmiTimeout.TotalSeconds:0.#} s and was stopped");
                    return (null, _options.GpuCacheFor);
                case ProgramOutcome.Exited when run.ExitCode != 0:
                    Note("gpu.exit", $"nvidia-smi exited with code {run.ExitCode}");
                    return (null, _options.GpuCacheFor);
            }
            var gpus = NvidiaSmi.Parse(run.StandardOutput);
            if (gpus.Count == 0) Note("gpu.empty", "nvidia-smi listed no GPU");
            return (gpus.Count > 0 ? gpus : null, _options.GpuCacheFor);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Note("gpu.error", "nvidia-smi could not be read", e);
            return (null, _options.GpuCacheFor);
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
