namespace ComfyStudio.Services.Downloads;

/// <summary>A transfer that is retrying: the failed attempt in a row, how many it may take, and why the last one failed.</summary>
public sealed record RetryState(int Attempt, int Of, string Reason);
