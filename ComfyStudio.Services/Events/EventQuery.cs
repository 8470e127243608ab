namespace ComfyStudio.Services.Events;

/// <summary>Query of the persisted event log.</summary>
public sealed record EventQuery(int Limit = 100, IReadOnlyCollection<string>? Types = null, EventSeverity? Severity = null)
{
    public const int MaxLimit = 1000;
}
