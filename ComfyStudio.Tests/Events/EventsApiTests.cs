using System.Net;
using System.Text.Json;
using ComfyStudio.Services.Events;
using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.Events;

public sealed class EventsApiTests(StudioFactory factory) : IClassFixture<StudioFactory>
{
    private sealed record Probe(string Tag, EventSeverity Level) : StudioEvent
    {
        public override string Type => "test.probe";
        public override EventSeverity Severity => Level;
        public override string Message => "probe " + Tag;
        public override System.Text.Json.Nodes.JsonObject? Data => new() { ["tag"] = Tag };
    }

    private static async Task<JsonElement> GetAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [Fact]
    public async Task Published_events_are_stored_and_filtered_by_type_and_severity_oldest_first()
    {
        _ = factory.Server;
        var bus = factory.Services.GetRequiredService<EventBus>();
        var tag = Guid.NewGuid().ToString("n")[..8];
        bus.Publish(new Probe(tag + "-1", EventSeverity.Info));
        bus.Publish(new Probe(tag + "-2", EventSeverity.Error));
        bus.Publish(new Probe(tag + "-3", EventSeverity.Error));
        var client = factory.CreateKeyClient();

        JsonElement json = default;
        for (var i = 0; i < 50; i++)
        {
            json = await GetAsync(client, "/api/admin/events?types=test.probe,other.type&severity=error&limit=1000");
            if (json.GetProperty("events").EnumerateArray().Count(e => e.GetProperty("message").GetString()!.Contains(tag)) == 2) break;
            await Task.Delay(100);
        }
        var mine = json.GetProperty("events").EnumerateArray().Where(e => e.GetProperty("message").GetString()!.Contains(tag)).ToList();
        Assert.Equal(["probe " + tag + "-2", "probe " + tag + "-3"], mine.Select(e => e.GetProperty("message").GetString()));
        var first = mine[0];
        Assert.StartsWith("evt_", first.GetProperty("id").GetString());
        Assert.Equal("test.probe", first.GetProperty("type").GetString());
        Assert.Equal("error", first.GetProperty("severity").GetString());
        Assert.EndsWith("Z", first.GetProperty("timestamp").GetString());
        Assert.Equal(tag + "-2", first.GetProperty("data").GetProperty("tag").GetString());

        var limited = await GetAsync(client, "/api/admin/events?limit=1");
        Assert.Single(limited.GetProperty("events").EnumerateArray());
    }

    [Fact]
    public async Task The_log_keeps_the_newest_thousand_events()
    {
        _ = factory.Server;
        var log = factory.Services.GetRequiredService<EventLog>();
        var start = DateTime.UtcNow.AddHours(1);
        for (var i = 0; i < EventLog.Capacity + 25; i++)
            await log.WriteAsync(new Probe("trim-" + i, EventSeverity.Info) { Timestamp = start.AddMilliseconds(i) });
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<ComfyStudio.Services.Data.StudioDbContext>>().CreateDbContextAsync();
        Assert.Equal(EventLog.Capacity, await db.Events.CountAsync());
        var newest = await log.ReadAsync(new EventQuery(EventQuery.MaxLimit));
        Assert.Equal("probe trim-" + (EventLog.Capacity + 24), newest[^1].Message);
        Assert.DoesNotContain(newest, e => e.Message == "probe trim-24");
    }

    [Fact]
    public async Task Keys_are_listed_with_spec_b_pagination_and_never_shown_again()
    {
        var client = factory.CreateKeyClient();
        for (var i = 0; i < 3; i++)
        {
            var created = await client.PostAsync("/api/admin/keys",
                new StringContent($$"""{"name":"page-{{i}}-{{Guid.NewGuid():n}}"}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
            Assert.StartsWith("cs_", body.GetProperty("key").GetString());
        }
        var page = await GetAsync(client, "/api/admin/keys?page=1&per_page=2");
        Assert.Equal(2, page.GetProperty("keys").GetArrayLength());
        Assert.True(page.GetProperty("total").GetInt32() >= 3);
        Assert.Equal(1, page.GetProperty("page").GetInt32());
        Assert.Equal(2, page.GetProperty("per_page").GetInt32());
        Assert.True(page.GetProperty("has_next").GetBoolean());
        Assert.False(page.GetProperty("has_prev").GetBoolean());
        Assert.DoesNotContain("\"key\"", page.GetRawText());
        var events = await GetAsync(client, "/api/admin/events?types=auth.key.created");
        Assert.DoesNotContain("cs_", string.Join(" ", events.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("message").GetString())).Replace("'", " "));
    }
}
