using System.Globalization;

namespace ComfyStudio.Services.Formatting;

/// <summary>Sizes as the registry and the API documents write them: decimal units (1 GB = 1,000,000,000 bytes).</summary>
public static class ByteSize
{
    /// <summary><c>500 MB</c>, <c>23.8 GB</c>, <c>1.2 TB</c>, <c>900 B</c>.</summary>
    public static string Format(long bytes)
    {
        var b = (double)bytes;
        var abs = Math.Abs(b);
        return abs switch
        {
            >= 1e12 => (b / 1e12).ToString("0.#", CultureInfo.InvariantCulture) + " TB",
            >= 1e9 => (b / 1e9).ToString("0.#", CultureInfo.InvariantCulture) + " GB",
            >= 1e6 => (b / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
            >= 1e3 => (b / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + " kB",
            _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
        };
    }
}
