using ComfyStudio.Services.Auth;
using ComfyStudio.Services.Events;
using ComfyStudio.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace ComfyStudio.Tests.Auth;

public sealed class LoginThrottleTests
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
    private LoginThrottle Throttle() => new(_clock, new EventBus(NullLogger<EventBus>.Instance));

    [Fact]
    public void Five_failures_lock_the_client_for_a_minute_then_it_may_try_again()
    {
        var t = Throttle();
        for (var i = 0; i < LoginThrottle.MaxFailures - 1; i++) Assert.Null(t.RecordFailure("1.2.3.4"));
        Assert.Null(t.RetryAfter("1.2.3.4"));
        Assert.Equal(TimeSpan.FromMinutes(1), t.RecordFailure("1.2.3.4"));
        Assert.NotNull(t.RetryAfter("1.2.3.4"));
        Assert.Null(t.RetryAfter("5.6.7.8"));
        _clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Null(t.RetryAfter("1.2.3.4"));
    }

    [Fact]
    public void Each_further_lockout_doubles_up_to_the_ceiling_and_only_forgetting_the_client_clears_it()
    {
        var t = Throttle();
        var spans = new List<TimeSpan>();
        for (var round = 0; round < 7; round++)
        {
            TimeSpan? locked = null;
            for (var i = 0; i < LoginThrottle.MaxFailures; i++) locked = t.RecordFailure("c");
            spans.Add(locked!.Value);
            _clock.Advance(locked.Value);
        }
        Assert.Equal([1, 2, 4, 8, 16, 30, 30], spans.Select(s => (int)s.TotalMinutes));
        t.Forget("c");
        for (var i = 0; i < LoginThrottle.MaxFailures - 1; i++) Assert.Null(t.RecordFailure("c"));
        Assert.Equal(TimeSpan.FromMinutes(1), t.RecordFailure("c"));
    }

    [Fact]
    public void Failures_older_than_the_window_do_not_count()
    {
        var t = Throttle();
        for (var i = 0; i < LoginThrottle.MaxFailures - 1; i++) t.RecordFailure("c");
        _clock.Advance(LoginThrottle.Window + TimeSpan.FromSeconds(1));
        Assert.Null(t.RecordFailure("c"));
    }
}
