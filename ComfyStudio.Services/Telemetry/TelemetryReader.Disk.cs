using System.Net.Http.Headers;
using System.Text;

namespace ComfyStudio.Services.Telemetry;

/// <summary>The disk reader: RunPod's network volume (its size from RunPod's API, its use from a background du), else STUDIO_DIR's file system.</summary>
public sealed partial class TelemetryReader
{
    private readonly SemaphoreSlim _volumeGate = new(1, 1);
    private long _volumeBytes;
    private DateTimeOffset _volumeRetryAt = DateTimeOffset.MinValue;
    private readonly Lock _duLock = new();
    private long? _duBytes;
    private DateTimeOffset _duAttemptAt = DateTimeOffset.MinValue;
    private Task<long?>? _duRun;


    /// <summary>The data volume: RunPod's network volume where it can be measured, else STUDIO_DIR's file system.</summary>
    public async Task<DiskReading> ReadDiskAsync(CancellationToken ct = default)
    {
        if (_studio.IsRunPod && !string.IsNullOrWhiteSpace(_studio.RunPodApiKey) && !string.IsNullOrWhiteSpace(_studio.RunPodPodId))
        {
            try
            {
                if (await VolumeBytesAsync(ct) is { } total && await DuBytesAsync(ct) is { } used)
                    return new DiskReading(_options.WorkspacePath, total, used);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                Note("disk.runpod", "The RunPod volume could not be measured; the file system answers", e);
            }
        }
        return ReadFileSystem(_studio.StudioDir ?? _options.WorkspacePath);
    }

    private DiskReading ReadFileSystem(string path)
    {
        try
        {
            var space = FileSystemSpace.Of(path);
            return new DiskReading(path, space.TotalBytes, space.UsedBytes, space.AvailableBytes);
        }
        catch (Exception e)
        {
            Note("disk.fs", $"The file system of '{path}' could not be measured", e);
            return new DiskReading(path, 0, 0);
        }
    }

    /// <summary>The network volume's size from RunPod, asked once; after a failure, again only after a while.</summary>
    private async Task<long?> VolumeBytesAsync(CancellationToken ct)
    {
        if (Interlocked.Read(ref _volumeBytes) is > 0 and var known) return known;
        await _volumeGate.WaitAsync(ct);
        try
        {
            if (_volumeBytes > 0) return _volumeBytes;
            if (_clock.GetUtcNow() < _volumeRetryAt) return null;
            var gb = await AskRunPodAsync(ct);
            if (gb is null)
            {
                _volumeRetryAt = _clock.GetUtcNow() + _options.RunPodRetryAfter;
                return null;
            }
            Interlocked.Exchange(ref _volumeBytes, gb.Value * RunPodVolume.BytesPerGb);
            return _volumeBytes;
        }
        finally
        {
            _volumeGate.Release();
        }
    }

    private async Task<long?> AskRunPodAsync(CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _options.RunPodGraphQlUrl)
            {
                Content = new StringContent(RunPodVolume.RequestBody(_studio.RunPodPodId!), Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _studio.RunPodApiKey);
            using var response = await _http.CreateClient(RunPodHttpClient).SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                Note("disk.runpod.status", $"RunPod's API answered {(int)response.StatusCode} to the volume size question");
                return null;
            }
            var gb = RunPodVolume.ParseSizeGb(body);
            if (gb is null) Note("disk.runpod.size", "RunPod's API gave no network volume size (no volume, or an error)");
            return gb;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Deliberately without the exception's text: nothing here may echo the request's key.
            Note("disk.runpod.http", $"RunPod's API could not be reached ({e.GetType().Name})");
            return null;
        }
    }

    /// <summary>
    /// The last du figure, starting a new du in the background when it is older than
    /// <see cref="TelemetryOptions.DuCacheFor"/>. With no figure yet, waits for the running du up to
    /// <see cref="TelemetryOptions.DuFirstWait"/>; null when there is none by then.
    /// </summary>
    private async Task<long?> DuBytesAsync(CancellationToken ct)
    {
        long? cached;
        Task<long?>? run;
        lock (_duLock)
        {
            cached = _duBytes;
            if (_clock.GetUtcNow() - _duAttemptAt >= _options.DuCacheFor && _duRun is not { IsCompleted: false })
                _duRun = Task.Run(RunDuAsync, CancellationToken.None);
            run = _duRun;
        }
        if (cached is not null || run is null) return cached;
        try
        {
            return await run.WaitAsync(_options.DuFirstWait, _clock, ct);
        }
        catch (TimeoutException)
        {
            Note("disk.du.slow", $"du has not finished within {_options.DuFirstWait.TotalSeconds:0} s; the file system answers until it does");
            return null;
        }
    }

    private async Task<long?> RunDuAsync()
    {
        long? bytes = null;
        try
        {
            var run = await ExternalProgram.RunAsync(_options.DuPath, ["-sb", _options.WorkspacePath], _options.DuTimeout, _disposed.Token);
            // du exits 1 when some folder could not be read, yet still prints the total of the rest.
            bytes = run.Outcome == ProgramOutcome.Exited ? RunPodVolume.ParseDuBytes(run.StandardOutput) : null;
            if (bytes is null) Note("disk.du", $"du -sb {_options.WorkspacePath} gave no figure ({run.Outcome}, exit {run.ExitCode})");
        }
        catch (Exception e)
        {
            if (!_disposed.IsCancellationRequested) Note("disk.du.error", "du could not be run", e);
        }
        lock (_duLock)
        {
            if (bytes is not null) _duBytes = bytes;
            _duAttemptAt = _clock.GetUtcNow();
        }
        return bytes;
    }
}
