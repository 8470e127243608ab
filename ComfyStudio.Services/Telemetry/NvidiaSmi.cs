using System.Globalization;

namespace ComfyStudio.Services.Telemetry;

/// <summary>Reads the GPUs from nvidia-smi's CSV output.</summary>
public static class NvidiaSmi
{
    /// <summary>The arguments that produce the CSV <see cref="Parse"/> reads.</summary>
    public static readonly IReadOnlyList<string> Arguments =
    [
        "--query-gpu=index,name,memory.total,memory.used,utilization.gpu,temperature.gpu",
        "--format=csv,noheader,nounits",
    ];

    private const long MiB = 1024L * 1024;

    /// <summary>
    /// Parses <c>index, name, memory.total, memory.used, utilization.gpu, temperature.gpu</c> lines (memory in
    /// MiB). Fields nvidia-smi cannot give (<c>[N/A]</c>, <c>[Not Supported]</c>) become null for utilisation and
    /// temperature and 0 for memory. Lines that are not GPU rows (blank lines, error messages) are skipped, so
    /// garbage gives an empty list.
    /// </summary>
    public static IReadOnlyList<GpuReading> Parse(string? csv)
    {
        var gpus = new List<GpuReading>();
        if (string.IsNullOrWhiteSpace(csv)) return gpus;
        foreach (var raw in csv.Split('\n'))
        {
            var fields = raw.Split(',', StringSplitOptions.TrimEntries);
            if (fields.Length < 6) continue;
            if (!int.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) || index < 0) continue;
            // A name never holds a comma today; should one, the fields around it still sit at the ends.
            var name = string.Join(", ", fields[1..^4]);
            if (name.Length == 0) continue;
            var total = Number(fields[^4]);
            var used = Number(fields[^3]);
            gpus.Add(new GpuReading(index, name,
                (long)Math.Round((total ?? 0) * MiB), (long)Math.Round((used ?? 0) * MiB),
                Number(fields[^2]), Number(fields[^1])));
        }
        return gpus;
    }

    /// <summary>A number, or null for <c>[N/A]</c>, <c>[Not Supported]</c>, <c>N/A</c> and anything else that is not one.</summary>
    private static double? Number(string field)
    {
        var s = field.Trim().TrimEnd('%').Trim();
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v >= 0
            ? v : null;
    }
}
