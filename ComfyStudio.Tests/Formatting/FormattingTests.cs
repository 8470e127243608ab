using ComfyStudio.Services.Formatting;
using ComfyStudio.Web.Components.Shared;

namespace ComfyStudio.Tests.Formatting;

/// <summary>One way to write sizes, speeds and times, everywhere.</summary>
public sealed class FormattingTests
{
    [Theory]
    [InlineData(500_000_000L, "500 MB")]
    [InlineData(95_400_000L, "95.4 MB")]
    [InlineData(23_800_000_000L, "23.8 GB")]
    [InlineData(1_200_000_000_000L, "1.2 TB")]
    [InlineData(1_500L, "1.5 kB")]
    [InlineData(900L, "900 B")]
    public void Sizes_are_decimal_as_the_registry_writes_them(long bytes, string text) => Assert.Equal(text, ByteSize.Format(bytes));

    [Fact]
    public void Speeds_are_MB_per_second_and_numbers_agree_with_the_texts()
    {
        Assert.Equal("12.5 MB/s", ByteSize.Speed(12_500_000));
        Assert.Equal("0.0 MB/s", ByteSize.Speed(-5));
        Assert.Equal(12.5, ByteSize.MegabytesPerSecond(12_500_000));
        Assert.Equal(0.5, ByteSize.Gb(500_000_000));
        Assert.Equal(64.7, ByteSize.Gb(64_700_000_000));
    }

    [Fact]
    public void Gpu_memory_reads_as_the_card_is_sold()
    {
        Assert.Equal("24 GB", ByteSize.GpuMemory(24564L * 1024 * 1024));
        Assert.Equal(24.0, ByteSize.GpuMemoryGb(24564L * 1024 * 1024));
    }

    [Theory]
    [InlineData(45L, "45s")]
    [InlineData(150L, "2m 30s")]
    [InlineData(3900L, "1h 5m")]
    [InlineData(183600L, "2d 3h")]
    public void Times_left_read_as_people_say_them(long seconds, string text) => Assert.Equal(text, Duration.Left(seconds));

    [Fact]
    public void The_api_writes_utc_with_z() =>
        Assert.Equal("2026-12-03T09:00:00Z", ApiTime.Iso(new DateTime(2026, 12, 3, 9, 0, 0, DateTimeKind.Unspecified)));

    [Fact]
    public void Pages_write_the_browsers_local_time_with_its_zone()
    {
        var at = new DateTime(2026, 12, 3, 9, 0, 5, DateTimeKind.Utc);
        var rome = BrowserClock.ZoneOf(new BrowserZone("Europe/Rome", 60));
        Assert.Equal("2026-12-03 10:00 UTC+1", BrowserClock.Format(at, rome, "yyyy-MM-dd HH:mm"));
        Assert.Equal("2026-07-01 11:00 UTC+2", BrowserClock.Format(new DateTime(2026, 7, 1, 9, 0, 0, DateTimeKind.Utc), rome, "yyyy-MM-dd HH:mm"));
        Assert.Equal("2026-12-03 14:30:05 UTC+5:30", BrowserClock.Format(at, BrowserClock.ZoneOf(new BrowserZone("Asia/Kolkata", 330)), "yyyy-MM-dd HH:mm:ss"));
        Assert.Equal("2026-12-03 04:00 UTC-5", BrowserClock.Format(at, BrowserClock.ZoneOf(new BrowserZone("America/New_York", -300)), "yyyy-MM-dd HH:mm"));
        // A zone this machine does not know: the offset the browser gave.
        Assert.Equal("2026-12-03 14:30 UTC+5:30", BrowserClock.Format(at, BrowserClock.ZoneOf(new BrowserZone("Nowhere/Atlantis", 330)), "yyyy-MM-dd HH:mm"));
        Assert.Equal("2026-12-03 09:00 UTC", BrowserClock.Format(at, TimeZoneInfo.Utc, "yyyy-MM-dd HH:mm"));
    }
}
