using System.Globalization;
using System.Text.RegularExpressions;

namespace ComfyStudio.Services.Presets;

/// <summary>
/// Human sizes of the registry to bytes, in decimal units as the registry and the API documents write them
/// (<c>14.5GB</c> is 14,500,000,000 bytes; GiB and MiB, where written, are binary). A text that gives two figures
/// (<c>15.27GB (15635MB)</c>) is read at the larger, so the disk-space check before an install never counts short.
/// The exact figure comes from the server's Content-Length before a byte is written in any case.
/// </summary>
public static partial class SizeText
{
    public static long? ToBytes(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        long? largest = null;
        foreach (Match m in SizePattern().Matches(text))
            if (double.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                largest = Math.Max(largest ?? 0, (long)Math.Round(value * Unit(m.Groups[2].Value)));
        return largest;
    }

    private static double Unit(string unit) => unit.ToUpperInvariant() switch
    {
        "TIB" => 1024d * 1024 * 1024 * 1024,
        "GIB" => 1024d * 1024 * 1024,
        "MIB" => 1024d * 1024,
        "KIB" => 1024d,
        "TB" => 1e12,
        "GB" => 1e9,
        "MB" => 1e6,
        "KB" => 1e3,
        _ => 1,
    };

    [GeneratedRegex(@"(\d+(?:\.\d+)?)\s*(TiB|GiB|MiB|KiB|TB|GB|MB|KB|B)\b", RegexOptions.IgnoreCase)]
    private static partial Regex SizePattern();
}
