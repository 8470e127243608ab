namespace ComfyStudio.Services.Downloads;

/// <summary>A span of the file one connection is fetching: <c>[Position, End)</c> is still to come.</summary>
internal sealed class Segment(long start, long end)
{
    public long Position = start;
    public long End = end;
}
