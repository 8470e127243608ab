using ComfyStudio.Services.Configuration;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Logging;

/// <summary>
/// The logs the API and the System page show, by service: the app's log ring (<c>dashboard</c>, <c>jobs</c>, and the
/// app's own <c>comfyui</c> lines) merged with the tail of ComfyUI's log file (<c>COMFYUI_LOG</c>) when one is set.
/// </summary>
public sealed class StudioLogs(LogRing ring, SecretRedactor redactor, IOptions<StudioOptions> options)
{
    public static readonly IReadOnlyList<string> Services = ["dashboard", "comfyui", "jobs"];
    public static readonly TimeSpan FilePollInterval = TimeSpan.FromMilliseconds(500);

    private string? ComfyUiLogFor(string? service) =>
        service is null or "comfyui" && !string.IsNullOrWhiteSpace(options.Value.ComfyUiLog) ? options.Value.ComfyUiLog : null;

    /// <summary>The newest <paramref name="lines"/> lines of a service (null: all), oldest first; ComfyUI's file comes first (its lines carry no time to merge by).</summary>
    public IReadOnlyList<StudioLogLine> Tail(int lines, string? service) => TailFrom(lines, service, out _);

    private List<StudioLogLine> TailFrom(int lines, string? service, out long fileEnd)
    {
        fileEnd = 0;
        var tail = ring.Tail(lines, service).Select(FromRing).ToList();
        if (ComfyUiLogFor(service) is { } file)
            tail = [.. LogFileTail.Read(file, lines, out fileEnd).Select(FromComfyUi), .. tail];
        return tail.Count > lines ? tail[^lines..] : tail;
    }

    /// <summary>
    /// The tail, then every new line of the service as it comes (ring entries at once, ComfyUI's file polled every
    /// <see cref="FilePollInterval"/>), until the answer is disposed. <paramref name="onLine"/> must not block.
    /// </summary>
    public LogFollowing Follow(int lines, string? service, Action<StudioLogLine> onLine)
    {
        var tail = TailFrom(lines, service, out var fileEnd);
        var following = ring.Follow(e =>
        {
            if (service is null || e.Service == service) onLine(FromRing(e));
        });
        Timer? poll = null;
        if (ComfyUiLogFor(service) is { } file)
        {
            var gate = new Lock();
            poll = new Timer(_ =>
            {
                lock (gate)
                {
                    try
                    {
                        foreach (var text in LogFileTail.ReadNew(file, ref fileEnd)) onLine(FromComfyUi(text));
                    }
                    catch (IOException) { } // rotated or locked: the next poll reads again
                }
            }, null, FilePollInterval, FilePollInterval);
        }
        return new LogFollowing(tail, () => { following.Dispose(); poll?.Dispose(); });
    }

    private static StudioLogLine FromRing(LogEntry e) => new(e.Timestamp, e.Level, e.Service, e.Message);

    /// <summary>ComfyUI's lines: redacted, the level read from the usual prefixes.</summary>
    private StudioLogLine FromComfyUi(string text)
    {
        text = redactor.Redact(text);
        var level = text.Contains("ERROR", StringComparison.Ordinal) || text.StartsWith("Traceback", StringComparison.Ordinal) ? "ERROR"
            : text.Contains("WARNING", StringComparison.Ordinal) ? "WARNING" : "INFO";
        return new StudioLogLine(null, level, "comfyui", text);
    }
}
