using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Formatting;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Downloads;

/// <summary>
/// The one free-space guard of the models folder: what is to be downloaded, plus the safety margin, must fit in what
/// the volume has available. Sizes are bounded and summed without wrapping, so no size can slip past it.
/// </summary>
public sealed class DiskSpace(IFreeSpace freeSpace, ModelFolder folder, IOptions<DownloadOptions> options)
{
    /// <summary>The largest file a download may name (4 TB): far above any model, far below where sums could wrap.</summary>
    public const long MaxFileBytes = 4_000_000_000_000;

    public long MarginBytes => options.Value.DiskMarginBytes;

    /// <summary>Bytes available to the app on the models folder's volume.</summary>
    public long AvailableBytes(string? under = null) => freeSpace.AvailableBytes(under ?? folder.Root);

    /// <summary>The sum of sizes; a 400 when it would not fit in a 64-bit count (no size of a real file comes close).</summary>
    public static long Sum(IEnumerable<long> sizes)
    {
        long total = 0;
        foreach (var size in sizes)
        {
            if (size < 0 || size > long.MaxValue - total)
                throw StudioException.Validation("the sizes of the files add up to more than any volume holds");
            total += size;
        }
        return total;
    }

    /// <summary>Whether <paramref name="needed"/> bytes and the margin fit on the volume of <paramref name="under"/>.</summary>
    public bool Fits(long needed, string? under, out long free)
    {
        free = AvailableBytes(under);
        if (needed <= 0) return true;
        return needed <= long.MaxValue - MarginBytes && free >= needed + MarginBytes;
    }

    /// <summary>
    /// A 507 <see cref="ErrorCodes.InsufficientStorage"/> naming what and how much, unless <paramref name="needed"/>
    /// bytes and the margin fit.
    /// </summary>
    /// <param name="details">More details for the error body, from the free bytes that were measured.</param>
    public void EnsureRoom(long needed, string what, Func<long, IReadOnlyDictionary<string, object?>>? details = null)
    {
        if (Fits(needed, null, out var free)) return;
        var all = new Dictionary<string, object?>(details?.Invoke(free) ?? new Dictionary<string, object?>())
        {
            ["required_bytes"] = needed > long.MaxValue - MarginBytes ? long.MaxValue : needed + MarginBytes,
            ["free_bytes"] = free,
        };
        throw new StudioException(ErrorCodes.InsufficientStorage,
            $"Not enough disk space for {what}: {ByteSize.Format(needed)} to download plus a {ByteSize.Format(MarginBytes)} margin, {ByteSize.Format(free)} free",
            all);
    }
}
