namespace ComfyStudio.Services.Telemetry;

/// <summary>What <c>/proc/meminfo</c> says, in bytes.</summary>
internal sealed record MemInfo(long TotalBytes, long AvailableBytes);
