using Bunit;
using ComfyStudio.Services.Events;
using ComfyStudio.Tests.Infrastructure;
using ComfyStudio.Web.Components.Shared;
using Microsoft.Extensions.Logging.Abstractions;

namespace ComfyStudio.Tests.Events;

public sealed class EventFeedTests : IAsyncLifetime
{
    private readonly BunitContext _ctx = MudTestContext.Create();
    private TestDatabase _db = null!;
    private EventBus _bus = null!;
    private EventLog _log = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _bus = new EventBus(NullLogger<EventBus>.Instance);
        _log = new EventLog(_db.Factory, _bus, NullLogger<EventLog>.Instance);
        _ctx.Services.AddSingleton(_bus);
        _ctx.Services.AddSingleton(_log);
    }

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Shows_stored_events_newest_first_then_adds_live_ones()
    {
        await _log.WriteAsync(new ApiKeyCreated("older") { Timestamp = DateTime.UtcNow.AddMinutes(-2) });
        await _log.WriteAsync(new ApiKeyRevoked("newer") { Timestamp = DateTime.UtcNow.AddMinutes(-1) });

        var feed = _ctx.Render<EventFeed>(p => p.Add(x => x.Limit, 10));
        feed.WaitForAssertion(() => Assert.Equal(2, feed.FindAll("[data-event-type]").Count));
        Assert.Equal("auth.key.revoked", feed.FindAll("[data-event-type]")[0].GetAttribute("data-event-type"));

        _bus.Publish(new BackendStarted("9.9.9"));
        feed.WaitForAssertion(() => Assert.Equal(3, feed.FindAll("[data-event-type]").Count));
        Assert.Contains("ComfyStudio 9.9.9 started", feed.FindAll("[data-event-type]")[0].TextContent);
    }

    [Fact]
    public async Task Filters_by_severity_and_type_prefix_and_says_when_empty()
    {
        await _log.WriteAsync(new ApiKeyCreated("a"));
        await _log.WriteAsync(new ApiKeyRevoked("b"));
        var feed = _ctx.Render<EventFeed>(p => p.Add(x => x.Severity, EventSeverity.Warning));
        feed.WaitForAssertion(() => Assert.Single(feed.FindAll("[data-event-type]")));
        Assert.Equal("auth.key.revoked", feed.Find("[data-event-type]").GetAttribute("data-event-type"));

        feed.Render(p => p.Add(x => x.Severity, (EventSeverity?)null).Add(x => x.TypePrefix, "system."));
        feed.WaitForAssertion(() => Assert.NotNull(feed.Find("[data-testid=event-feed-empty]")));
    }

    [Fact]
    public async Task Live_ticks_that_are_not_kept_are_not_listed()
    {
        await _log.WriteAsync(new ApiKeyCreated("kept"));
        var feed = _ctx.Render<EventFeed>(p => p.Add(x => x.Limit, 10));
        feed.WaitForAssertion(() => Assert.Single(feed.FindAll("[data-event-type]")));

        _bus.Publish(new Tick());
        _bus.Publish(new BackendStarted("1.2.3"));
        feed.WaitForAssertion(() => Assert.Equal(2, feed.FindAll("[data-event-type]").Count));
        Assert.Empty(feed.FindAll("[data-event-type='test.tick']"));
    }

    private sealed record Tick : StudioEvent
    {
        public override string Type => "test.tick";
        public override string Message => "a live figure";
        public override bool Persist => false;
    }
}
