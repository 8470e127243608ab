namespace ComfyStudio.Services.Formatting;

/// <summary>Spans of time as people read them.</summary>
public static class Duration
{
    /// <summary>A time left: <c>45s</c>, <c>2m 30s</c>, <c>1h 5m</c>, <c>2d 3h</c>.</summary>
    public static string Left(long seconds) => seconds switch
    {
        >= 86400 => $"{seconds / 86400}d {seconds % 86400 / 3600}h",
        >= 3600 => $"{seconds / 3600}h {seconds % 3600 / 60}m",
        >= 60 => $"{seconds / 60}m {seconds % 60}s",
        _ => $"{Math.Max(0, seconds)}s",
    };
}
