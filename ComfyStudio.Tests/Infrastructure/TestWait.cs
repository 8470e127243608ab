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
}
