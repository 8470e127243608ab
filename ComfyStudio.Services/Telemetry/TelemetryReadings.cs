namespace ComfyStudio.Services.Telemetry;

/// <summary>One GPU as nvidia-smi reports it. Memory in bytes; utilisation and temperature null where the card does not say.</summary>
public sealed record GpuReading(
    int Index, string Name, long MemoryTotalBytes, long MemoryUsedBytes, double? UtilizationPercent, double? TemperatureC)
{
    public long MemoryFreeBytes => Math.Max(0, MemoryTotalBytes - MemoryUsedBytes);
    /// <summary>Used memory as a percentage of the total, 0 when the total is unknown.</summary>
    public double MemoryPercent => Percentages.Of(MemoryUsedBytes, MemoryTotalBytes);
}

/// <summary>
/// The CPU. <see cref="LoadPercent"/> is the one-minute load average over the cores, times 100: a load
/// figure (the System API's <c>cpu_percent</c>), not a utilisation, and above 100 when more threads want to run than there
/// are cores. <see cref="UtilizationPercent"/> is the share of the CPU in use, 0–100 (the Dashboard API's figures and the
/// dashboard): the cgroup's CPU time against its quota where it has one, else the machine's busy time, both over
/// the time since the previous reading. Frequencies in MHz, null where the machine does not expose them.
/// </summary>
public sealed record CpuReading(double LoadPercent, int Count, double? FreqCurrentMhz, double? FreqMinMhz, double? FreqMaxMhz,
    double UtilizationPercent = 0, string UtilizationSource = "none")
{
    /// <summary>The one-minute load average itself (load over cores × cores).</summary>
    public double LoadAverage => LoadPercent * Count / 100;
}

/// <summary>The memory the app may use (the container's limit where it has one) and what is used of it.</summary>
public sealed record MemoryReading(long TotalBytes, long UsedBytes)
{
    public long AvailableBytes => Math.Max(0, TotalBytes - UsedBytes);
    public double Percent => Percentages.Of(UsedBytes, TotalBytes);
}

/// <summary>The volume that holds the studio's data, identified by a folder on it.</summary>
/// <param name="AvailableBytes">What the app can still write (statvfs <c>f_bavail</c>); null where only size and use
/// are known (RunPod's network volume), and then size less use.</param>
public sealed record DiskReading(string Path, long TotalBytes, long UsedBytes, long? AvailableBytes = null)
{
    /// <summary>The space available to the app: what <c>df</c> calls "Avail", never size less use on a local file system.</summary>
    public long FreeBytes => AvailableBytes is { } available ? available : Math.Max(0, TotalBytes - UsedBytes);
    public double Percent => Percentages.Of(UsedBytes, TotalBytes);
}

/// <summary>
/// Everything at one moment. <see cref="Gpus"/> is null when nvidia-smi is missing, fails, times out or
/// lists no GPU; it is never an empty list.
/// </summary>
public sealed record TelemetrySnapshot(
    DateTime TakenAt, IReadOnlyList<GpuReading>? Gpus, CpuReading Cpu, MemoryReading Memory, DiskReading Disk);

internal static class Percentages
{
    /// <summary><paramref name="part"/> of <paramref name="whole"/> in percent, 0 when the whole is 0 or less.</summary>
    public static double Of(long part, long whole) => whole > 0 ? Math.Max(0, part) * 100.0 / whole : 0;
}
