namespace ComfyStudio.Web.Api.RateLimiting;

/// <summary>The Dashboard API's limits (section <c>RateLimits</c>): per IP without a credential, per key with one.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";
    public int Anonymous { get; set; } = 100;
    public int Authenticated { get; set; } = 1000;
    public int WindowSeconds { get; set; } = 60;
}
