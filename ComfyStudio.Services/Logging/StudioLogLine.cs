namespace ComfyStudio.Services.Logging;

/// <summary>A log line to show: the app's own (with its time) or one of ComfyUI's log file (with none of its own).</summary>
public sealed record StudioLogLine(DateTime? Timestamp, string Level, string Service, string Message);
