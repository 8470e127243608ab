namespace ComfyStudio.Services.Logging;

/// <summary>One log line as the API serves it.</summary>
public sealed record LogEntry(long Sequence, DateTime Timestamp, string Level, string Service, string Message);
