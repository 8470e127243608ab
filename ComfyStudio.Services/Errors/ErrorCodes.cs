namespace ComfyStudio.Services.Errors;

/// <summary>The error codes of the Dashboard API's table, plus the studio's own.</summary>
public static class ErrorCodes
{
    public const string PresetNotFound = "PRESET_NOT_FOUND";
    public const string PresetAlreadyInstalled = "PRESET_ALREADY_INSTALLED";
    public const string DownloadFailed = "DOWNLOAD_FAILED";
    public const string InsufficientStorage = "INSUFFICIENT_STORAGE";
    public const string ComfyUiUnavailable = "COMFYUI_UNAVAILABLE";
    public const string InvalidWorkflow = "INVALID_WORKFLOW";
    public const string ModelNotFound = "MODEL_NOT_FOUND";
    public const string QueueFull = "QUEUE_FULL";
    /// <summary>A generation ComfyUI ran failed (on the live feed: the node and ComfyUI's reason in <c>details</c>).</summary>
    public const string GenerationFailed = "GENERATION_FAILED";
    public const string Unauthorized = "UNAUTHORIZED";
    public const string Forbidden = "FORBIDDEN";
    public const string RateLimitExceeded = "RATE_LIMIT_EXCEEDED";
    public const string InternalError = "INTERNAL_ERROR";
    public const string ValidationError = "VALIDATION_ERROR";
    public const string NotFound = "NOT_FOUND";
    public const string MethodNotAllowed = "METHOD_NOT_ALLOWED";
    public const string Conflict = "CONFLICT";
    public const string Maintenance = "MAINTENANCE";
    /// <summary>A file's host refused it (401/403): a token is missing or has no access (a file's error, not an answer's).</summary>
    public const string AccessDenied = "ACCESS_DENIED";

    /// <summary>
    /// The code a client sees for a file's error: the Dashboard API's codes only, so <see cref="AccessDenied"/> (the app's own
    /// note that a token is missing) is <see cref="DownloadFailed"/> to clients, with <c>access_denied</c> beside it.
    /// </summary>
    public static string? ForClients(string? code) => code == AccessDenied ? DownloadFailed : code;

    /// <summary>The HTTP status each code answers with.</summary>
    public static int StatusOf(string code) => code switch
    {
        PresetNotFound or ModelNotFound or NotFound => 404,
        PresetAlreadyInstalled or Conflict => 409,
        InsufficientStorage or QueueFull => 507,
        ComfyUiUnavailable or Maintenance => 503,
        InvalidWorkflow or ValidationError => 400,
        Unauthorized => 401,
        Forbidden or AccessDenied => 403,
        MethodNotAllowed => 405,
        RateLimitExceeded => 429,
        _ => 500,
    };
}
