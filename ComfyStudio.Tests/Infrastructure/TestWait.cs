namespace ComfyStudio.Tests.Infrastructure;

public static class TestWait
{
    /// <summary>Polls <paramref name="condition"/> until it holds; fails after <paramref name="seconds"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, int seconds = 15, string what = "the condition")
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail($"Timed out waiting for {what}");
            await Task.Delay(50);
        }
    }

    public static Task UntilAsync(Func<bool> condition, int seconds = 15, string what = "the condition") =>
        UntilAsync(() => Task.FromResult(condition()), seconds, what);

    /// <summary>
    /// A "nothing happens" check: <paramref name="condition"/> holds for the whole of <paramref name="period"/>, checked
    /// as it goes, so a change fails the test the moment it shows instead of after a sleep.
    /// </summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan period, string what = "the condition")
    {
        var until = DateTime.UtcNow + period;
        do
        {
            Assert.True(await condition(), $"{what} stopped holding");
            await Task.Delay(25);
        }
        while (DateTime.UtcNow < until);
        Assert.True(await condition(), $"{what} stopped holding");
    }

    public static Task HoldsAsync(Func<bool> condition, TimeSpan period, string what = "the condition") =>
        HoldsAsync(() => Task.FromResult(condition()), period, what);
}
