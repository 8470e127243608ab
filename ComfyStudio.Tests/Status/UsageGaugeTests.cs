using Bunit;
using ComfyStudio.Web.Components.Dashboard;

namespace ComfyStudio.Tests.Status;

/// <summary>The dashboard's gauge: the original dashboard's warn levels (yellow at 65–85 %, red above 85 %).</summary>
public sealed class UsageGaugeTests : IAsyncDisposable
{
    private readonly BunitContext _ctx = MudTestContext.Create();

    [Theory]
    [InlineData(null, "unknown")]
    [InlineData(0.0, "normal")]
    [InlineData(64.9, "normal")]
    [InlineData(65.0, "warn")]
    [InlineData(85.0, "warn")]
    [InlineData(85.1, "alert")]
    [InlineData(100.0, "alert")]
    public void Levels_follow_the_warn_thresholds(double? percent, string level) => Assert.Equal(level, UsageGauge.LevelOf(percent));

    [Fact]
    public void The_rendered_gauge_carries_its_level_and_percentage()
    {
        var gauge = _ctx.Render<UsageGauge>(p => p.Add(g => g.Id, "ram").Add(g => g.Title, "RAM").Add(g => g.Percent, 90.0).Add(g => g.History, [40.0, 60.0, 90.0]));
        Assert.Equal("alert", gauge.Instance.Level);
        Assert.Contains("90", gauge.Markup);
    }

    public async ValueTask DisposeAsync() => await _ctx.DisposeAsync();
}
