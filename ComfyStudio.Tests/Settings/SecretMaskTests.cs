using ComfyStudio.Services.Settings;
using ComfyStudio.Services.Status;

namespace ComfyStudio.Tests.Settings;

public sealed class SecretMaskTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("abcd", "***")]
    [InlineData("abcde", "ab***")]
    [InlineData("changeme", "ch***")]
    [InlineData("abcdefghi", "abcd***fghi")]
    [InlineData("hf_0123456789abcdefXYZ", "hf_0***fXYZ")]
    public void Masks_by_length_as_spec_A_code_does(string value, string masked) => Assert.Equal(masked, SecretMask.Mask(value));

    [Fact]
    public void A_null_value_masks_to_empty() => Assert.Equal("", SecretMask.Mask(null));

    [Theory]
    [InlineData("2026-01-15T12:00:00Z", "2026-01-15 13:00:00")] // winter: UTC+1
    [InlineData("2026-07-15T12:00:00Z", "2026-07-15 14:00:00")] // summer: UTC+2
    [InlineData("2026-03-29T00:59:59Z", "2026-03-29 01:59:59")] // just before the switch to summer time
    [InlineData("2026-03-29T01:00:00Z", "2026-03-29 03:00:00")]
    [InlineData("2026-10-25T00:59:59Z", "2026-10-25 02:59:59")]
    [InlineData("2026-10-25T01:00:00Z", "2026-10-25 02:00:00")]
    public void Rome_time_follows_the_EU_rule(string utc, string rome)
    {
        var t = DateTime.Parse(utc, null, System.Globalization.DateTimeStyles.AdjustToUniversal);
        Assert.Equal(rome, RomeTime.Format(t, "yyyy-MM-dd HH:mm:ss")); // the system's zone data
        Assert.Equal(rome, RomeTime.ByEuRule(t).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)); // the fallback without it
    }

    [Fact]
    public void Last_sundays_of_the_EU_switch_months()
    {
        Assert.Equal(new DateTime(2026, 3, 29), RomeTime.LastSunday(2026, 3).Date);
        Assert.Equal(new DateTime(2026, 10, 25), RomeTime.LastSunday(2026, 10).Date);
        Assert.Equal(new DateTime(2027, 3, 28), RomeTime.LastSunday(2027, 3).Date);
    }
}
