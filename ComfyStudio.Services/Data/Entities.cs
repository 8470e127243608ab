namespace ComfyStudio.Services.Data;

/// <summary>A ComfyUI generation job (spec A's <c>jobs</c> table).</summary>
public sealed class JobRecord
{
    public required string PromptId { get; set; }
    public required string WorkflowId { get; set; }
    public string? WorkflowName { get; set; }
    public string? Params { get; set; }
    public string? Seeds { get; set; }
    public string? Output { get; set; }
    public string? Outputs { get; set; }
    public string? OutputDir { get; set; }
    public string? InputImage { get; set; }
    public string? Error { get; set; }
    /// <summary>queued, running, completed, failed or stalled.</summary>
    public string Status { get; set; } = "queued";
    public DateTime QueuedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public int? Duration { get; set; }
}

/// <summary>One entry of the event log (spec A's <c>events</c> table).</summary>
public sealed class EventRecord
{
    public required string Id { get; set; }
    public required string Type { get; set; }
    public DateTime Timestamp { get; set; }
    public string Severity { get; set; } = "info";
    public string Message { get; set; } = "";
    /// <summary>JSON object, or null.</summary>
    public string? Data { get; set; }
}

/// <summary>A key → value setting; values saved here override the environment at start.</summary>
public sealed class SettingRecord
{
    public required string Key { get; set; }
    public string? Value { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A prompt the user saved for reuse.</summary>
public sealed class SavedPromptRecord
{
    public int Id { get; set; }
    /// <summary>positive or negative.</summary>
    public string Type { get; set; } = "positive";
    public string Text { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

/// <summary>A login session ended by logout; its cookie is refused from then on, even if a copy survives.</summary>
public sealed class EndedSessionRecord
{
    public required string SessionId { get; set; }
    public DateTime EndedAt { get; set; }
}

/// <summary>A named API key. Only its SHA-256 is stored; the key itself is shown once.</summary>
public sealed class ApiKeyRecord
{
    public int Id { get; set; }
    public required string Name { get; set; }
    /// <summary>Lower-case hex SHA-256 of the key.</summary>
    public required string Hash { get; set; }
    /// <summary>The key's first characters, to recognise it in a list.</summary>
    public required string Prefix { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}
