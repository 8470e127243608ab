namespace ComfyStudio.Services.Data;

/// <summary>
/// A ComfyUI generation (the System API's <c>jobs</c> table, whose rows its status counts): every prompt the studio
/// queued or saw in ComfyUI's queue, with its graph, progress, outputs and, on failure, the node and the reason. Kept
/// when ComfyUI or the studio restarts (ComfyUI keeps its own history in memory only).
/// </summary>
public sealed class JobRecord
{
    public required string PromptId { get; set; }
    /// <summary>Where it came from: <c>api</c>, <c>editor</c>, a workflow's id, or <c>comfyui</c> (queued in ComfyUI directly).</summary>
    public required string WorkflowId { get; set; }
    public string? WorkflowName { get; set; }
    /// <summary>ComfyUI's queue number (lower runs first).</summary>
    public double? Number { get; set; }
    /// <summary>The API-format graph, as JSON.</summary>
    public string? Params { get; set; }
    public string? Seeds { get; set; }
    public string? Output { get; set; }
    /// <summary>ComfyUI's <c>outputs</c> per node, as JSON (<c>{"9": {"images": [...]}}</c>).</summary>
    public string? Outputs { get; set; }
    public string? OutputDir { get; set; }
    public string? InputImage { get; set; }
    /// <summary>The failure in words (ComfyUI's exception message, or why the studio marked it failed).</summary>
    public string? Error { get; set; }
    public string? ErrorNodeId { get; set; }
    public string? ErrorNodeType { get; set; }
    /// <summary>The exception type and the last lines of ComfyUI's traceback.</summary>
    public string? ErrorTraceback { get; set; }
    /// <summary>One of <see cref="ComfyUi.GenerationStates"/>.</summary>
    public string Status { get; set; } = ComfyUi.GenerationStates.Queued;
    /// <summary>The node running now, and its progress (a sampler's step of steps).</summary>
    public string? ProgressNode { get; set; }
    public int? ProgressValue { get; set; }
    public int? ProgressMax { get; set; }
    public DateTime QueuedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    /// <summary>Seconds from start to finish.</summary>
    public int? Duration { get; set; }
}

/// <summary>One entry of the event log (the System API's <c>events</c> table).</summary>
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

/// <summary>
/// A prompt the user saved for reuse (positive or negative). Nothing writes it yet: the workflow editor fills it
/// when the owner saves a prompt to use again.
/// </summary>
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

/// <summary>
/// A download: files asked for together (a preset's install, or files requested by URL). Its state is the durable
/// truth the engine resumes from after a restart.
/// </summary>
public sealed class DownloadRecord
{
    /// <summary><c>dl_</c> and 12 hex digits.</summary>
    public required string Id { get; set; }
    public string? PresetId { get; set; }
    public string Name { get; set; } = "";
    /// <summary>queued, downloading, paused, completed, failed or cancelled.</summary>
    public string Status { get; set; } = Downloads.DownloadStates.Queued;
    public int Priority { get; set; }
    public string? Error { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public List<DownloadItemRecord> Items { get; set; } = [];
}

/// <summary>One file of a download; a file wanted by several downloads is one <see cref="DownloadFileRecord"/>.</summary>
public sealed class DownloadItemRecord
{
    public required string DownloadId { get; set; }
    public int FileId { get; set; }
    public int Position { get; set; }
    public DownloadFileRecord File { get; set; } = null!;
}

/// <summary>A file the engine fetches to <see cref="Path"/> (relative to <c>COMFYUI_DIR/models</c>), with its progress.</summary>
public sealed class DownloadFileRecord
{
    public int Id { get; set; }
    /// <summary>Relative to the models folder, <c>/</c>-separated; unique.</summary>
    public required string Path { get; set; }
    public required string Url { get; set; }
    public long? ExpectedSize { get; set; }
    /// <summary>Lowercase hex, from the registry or the request.</summary>
    public string? ExpectedSha256 { get; set; }
    /// <summary>pending, downloading, verifying, completed or failed.</summary>
    public string Status { get; set; } = Downloads.DownloadFileStates.Pending;
    public long? TotalBytes { get; set; }
    public long DownloadedBytes { get; set; }
    /// <summary>The server's validator (ETag, Hugging Face's linked ETag, or size and Last-Modified) the <c>.part</c> was started against.</summary>
    public string? Validator { get; set; }
    /// <summary>Byte ranges of the <c>.part</c> written and flushed, as <c>start-end,…</c> (end exclusive).</summary>
    public string? DoneRanges { get; set; }
    /// <summary>The verified file's SHA-256 (lowercase hex).</summary>
    public string? Sha256 { get; set; }
    /// <summary>What proved the completed file right: <c>sha256</c> (a known hash matched), <c>size</c> (only its size was known) or <c>none</c>; null for files completed before this was recorded.</summary>
    public string? Verification { get; set; }
    public string? Error { get; set; }
    public string? ErrorCode { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    /// <summary>Fetch again even when a file of the right size is in place (a forced reinstall); a file that matches a known SHA-256 is kept.</summary>
    public bool Refetch { get; set; }
}

/// <summary>A preset asked to be installed: the registry version it was installed at, and when it became installed.</summary>
public sealed class PresetInstallRecord
{
    /// <summary>The registry's id (<c>flux-schnell-basic</c>).</summary>
    public required string PresetId { get; set; }
    /// <summary>The registry version now on disk (set when an install completes); null until one has.</summary>
    public string? Version { get; set; }
    /// <summary>The registry version the last install asked for.</summary>
    public required string RequestedVersion { get; set; }
    public string? DownloadId { get; set; }
    public DateTime RequestedAt { get; set; }
    /// <summary>When its last download completed with every file verified; null while it installs.</summary>
    public DateTime? InstalledAt { get; set; }
}

/// <summary>
/// One model file of the models library's index (the Models feature owns it): where it is, its size and time, and what
/// its header said, so a listing reads the index and a rescan re-reads only files whose size or time changed.
/// </summary>
public sealed class ModelFileRecord
{
    /// <summary>As ComfyUI's folders name it: <c>checkpoints/x.safetensors</c>, or <c>&lt;root&gt;:loras/y.safetensors</c>.</summary>
    public required string Path { get; set; }
    public required string Root { get; set; }
    public required string Type { get; set; }
    public required string FullPath { get; set; }
    public long Size { get; set; }
    public DateTime Modified { get; set; }
    public string Format { get; set; } = "unknown";
    public string? Architecture { get; set; }
    public string? BaseModel { get; set; }
    public string? Problem { get; set; }
    public bool MayRunCode { get; set; }
    public DateTime IndexedAt { get; set; }
    /// <summary>The SHA-256 a full check computed, valid while the file keeps <see cref="HashedSize"/> and <see cref="HashedModified"/>.</summary>
    public string? Sha256 { get; set; }
    public long? HashedSize { get; set; }
    public DateTime? HashedModified { get; set; }
    /// <summary>What the full check found: true when a known hash (the download's, the registry's) matched, false when it did not, null when none was known.</summary>
    public bool? HashMatches { get; set; }
    public string? ExpectedSha256 { get; set; }
}
