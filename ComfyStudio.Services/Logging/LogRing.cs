using System.Collections.Immutable;
using Serilog.Core;
using Serilog.Events;

namespace ComfyStudio.Services.Logging;

/// <summary>
/// The newest log entries kept in memory (redacted), for <c>/api/system/logs</c> and the Logs page, with
/// live subscribers for following. A Serilog sink.
/// </summary>
public sealed class LogRing(SecretRedactor redactor, int capacity = LogRing.DefaultCapacity) : ILogEventSink
{
    public const int DefaultCapacity = 2000;
    private static readonly Serilog.Formatting.Display.MessageTemplateTextFormatter MessageFormatter = new("{Message:lj}");
    private readonly LogEntry[] _buffer = new LogEntry[capacity];
    private long _next;
    private ImmutableArray<Action<LogEntry>> _followers = [];

    public void Emit(LogEvent logEvent)
    {
        using var text = new StringWriter();
        MessageFormatter.Format(logEvent, text);
        var message = text.ToString();
        if (logEvent.Exception is { } ex) message += " — " + ex.GetType().Name + ": " + ex.Message;
        LogEntry entry;
        lock (_buffer)
        {
            entry = new LogEntry(_next, logEvent.Timestamp.UtcDateTime, LevelName(logEvent.Level),
                ServiceOf(logEvent), redactor.Redact(message));
            _buffer[_next % _buffer.Length] = entry;
            _next++;
        }
        foreach (var f in _followers)
            f(entry);
    }

    /// <summary>The newest <paramref name="lines"/> entries, oldest first, optionally of one service.</summary>
    public IReadOnlyList<LogEntry> Tail(int lines, string? service = null)
    {
        lock (_buffer)
        {
            var result = new List<LogEntry>();
            for (var i = _next - 1; i >= Math.Max(0, _next - _buffer.Length) && result.Count < lines; i--)
            {
                var e = _buffer[i % _buffer.Length];
                if (service is null || e.Service == service) result.Add(e);
            }
            result.Reverse();
            return result;
        }
    }

    /// <summary>Calls <paramref name="onEntry"/> for every new entry until disposed (it must not block).</summary>
    public IDisposable Follow(Action<LogEntry> onEntry)
    {
        ImmutableInterlocked.Update(ref _followers, l => l.Add(onEntry));
        return new Unfollow(() => ImmutableInterlocked.Update(ref _followers, l => l.Remove(onEntry)));
    }

    private sealed class Unfollow(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    public static string LevelName(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose or LogEventLevel.Debug => "DEBUG",
        LogEventLevel.Information => "INFO",
        LogEventLevel.Warning => "WARNING",
        LogEventLevel.Error => "ERROR",
        _ => "CRITICAL",
    };

    /// <summary>dashboard, jobs (Hangfire and our jobs) or comfyui, from the logger's category.</summary>
    public static string ServiceOf(LogEvent logEvent)
    {
        var source = logEvent.Properties.TryGetValue("SourceContext", out var v) && v is ScalarValue { Value: string s } ? s : "";
        if (source.StartsWith("Hangfire", StringComparison.Ordinal) || source.StartsWith("ComfyStudio.Services.Jobs", StringComparison.Ordinal))
            return "jobs";
        if (source.StartsWith("ComfyStudio.Services.ComfyUi", StringComparison.Ordinal))
            return "comfyui";
        return "dashboard";
    }
}
