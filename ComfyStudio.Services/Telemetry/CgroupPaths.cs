namespace ComfyStudio.Services.Telemetry;

/// <summary>Where the process sits in the cgroup trees, from <c>/proc/self/cgroup</c> (paths start with <c>/</c>).</summary>
internal sealed record CgroupPaths(string? Unified, string? Memory, string? Cpu = null);
