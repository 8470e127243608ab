using System.Globalization;

namespace ComfyStudio.Services.Formatting;

/// <summary>
/// The one way the studio writes sizes and speeds, on every page, in the API's texts and in the extension: decimal
/// units as the registry and the API documents write them (1 GB = 1,000,000,000 bytes; speeds in MB/s). GPU memory is
/// the one exception: it is counted as nvidia-smi and the card's maker count it (1 GB = 1024 MiB), so a 24 GB card
/// reads 24 GB (<see cref="GpuMemory"/>).
/// </summary>
public static class ByteSize
{
    private const double Giga = 1e9;
    private const double Mega = 1e6;
    private const double Gibi = 1024d * 1024 * 1024;

    /// <summary><c>500 MB</c>, <c>23.8 GB</c>, <c>1.2 TB</c>, <c>900 B</c>.</summary>
    public static string Format(long bytes)
    {
        var b = (double)bytes;
        var abs = Math.Abs(b);
        return abs switch
        {
            >= 1e12 => (b / 1e12).ToString("0.#", CultureInfo.InvariantCulture) + " TB",
            >= Giga => (b / Giga).ToString("0.#", CultureInfo.InvariantCulture) + " GB",
            >= Mega => (b / Mega).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
            >= 1e3 => (b / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + " kB",
            _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
        };
    }

    /// <summary>A speed: <c>12.5 MB/s</c> (always MB/s, one decimal, so figures side by side compare at a glance).</summary>
    public static string Speed(double bytesPerSecond) =>
        MegabytesPerSecond(bytesPerSecond).ToString("0.0", CultureInfo.InvariantCulture) + " MB/s";

    /// <summary>The number behind the API's <c>*_mbps</c> fields: MB (10⁶ bytes) per second, one decimal.</summary>
    public static double MegabytesPerSecond(double bytesPerSecond) => Math.Round(Math.Max(0, bytesPerSecond) / Mega, 1);

    /// <summary>The number behind the API's <c>*_gb</c> fields for disks, memory and files: decimal GB.</summary>
    public static double Gb(long bytes, int digits = 1) => Math.Round(bytes / Giga, digits);

    /// <summary>GPU memory as its maker counts it: <c>24 GB</c> for 24,564 MiB (binary, as nvidia-smi reports it).</summary>
    public static string GpuMemory(long bytes) => GpuMemoryGb(bytes).ToString("0.#", CultureInfo.InvariantCulture) + " GB";

    /// <summary>The number behind the API's GPU memory <c>*_gb</c> fields (binary, as nvidia-smi reports it).</summary>
    public static double GpuMemoryGb(long bytes, int digits = 1) => Math.Round(bytes / Gibi, digits);
}
