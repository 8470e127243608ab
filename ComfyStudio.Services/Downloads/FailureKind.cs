namespace ComfyStudio.Services.Downloads;

/// <summary>How a failed request should be handled.</summary>
public enum FailureKind
{
    /// <summary>5xx, 429, time-outs, resets, stalls: try again after a pause.</summary>
    Retryable,
    /// <summary>401/403: a token is missing or lacks access; fails at once.</summary>
    Access,
    /// <summary>404, a file that changed, a hash that does not match: fails at once.</summary>
    Fatal,
}
