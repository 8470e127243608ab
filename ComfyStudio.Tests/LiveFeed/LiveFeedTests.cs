using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using ComfyStudio.Services.Events;
using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.LiveFeed;

public sealed class LiveFeedTests(StudioFactory factory) : IClassFixture<StudioFactory>
{
    private async Task<WebSocket> ConnectAsync()
    {
        var client = factory.Server.CreateWebSocketClient();
        var uri = new UriBuilder(factory.Server.BaseAddress) { Scheme = "ws", Path = "/ws", Query = "api_key=" + StudioFactory.PrimaryKey }.Uri;
        return await client.ConnectAsync(uri, CancellationToken.None);
    }

    private static Task SendAsync(WebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next message, skipping the periodic system_status ones unless <paramref name="type"/> asks for them.</summary>
    private static async Task<JsonElement> ReceiveAsync(WebSocket socket, string? type = null)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cts.Token);
            var message = JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count)).RootElement.Clone();
            var got = message.GetProperty("type").GetString();
            if (type is null ? got != "system_status" : got == type) return message;
        }
    }

    [Fact]
    public async Task System_subscribers_receive_system_status_from_the_telemetry_sampler()
    {
        using var socket = await ConnectAsync();
        await SendAsync(socket, """{"type": "subscribe", "channels": ["system"]}""");
        var status = await ReceiveAsync(socket, "system_status"); // a sample every 3 s
        var data = status.GetProperty("data");
        foreach (var field in new[] { "cpu_usage", "memory_usage", "gpu_usage", "disk_usage" })
            Assert.True(data.TryGetProperty(field, out _), field);
        Assert.InRange(data.GetProperty("memory_usage").GetInt32(), 0, 100);
    }

    [Fact]
    public async Task A_subscriber_to_system_receives_bus_events_and_bad_messages_get_error_messages()
    {
        using var socket = await ConnectAsync();
        await SendAsync(socket, """{"type":"subscribe","channels":["system"]}""");
        var ack = await ReceiveAsync(socket);
        Assert.Equal("subscribed", ack.GetProperty("type").GetString());
        Assert.Equal("system", ack.GetProperty("data").GetProperty("channels")[0].GetString());

        factory.Services.GetRequiredService<EventBus>().Publish(new ApiKeyCreated("from-ws-test"));
        var evt = await ReceiveAsync(socket);
        Assert.Equal("event", evt.GetProperty("type").GetString());
        Assert.Equal("auth.key.created", evt.GetProperty("data").GetProperty("type").GetString());

        await SendAsync(socket, "{not json");
        var error = await ReceiveAsync(socket);
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal("VALIDATION_ERROR", error.GetProperty("data").GetProperty("code").GetString());

        await SendAsync(socket, """{"type":"a","type":"b"}""");
        Assert.Equal("error", (await ReceiveAsync(socket)).GetProperty("type").GetString());
        Assert.Equal(WebSocketState.Open, socket.State);

        await SendAsync(socket, """{"type":"subscribe","channels":["nope"]}""");
        Assert.Contains("nope", (await ReceiveAsync(socket)).GetProperty("data").GetProperty("message").GetString());

        await SendAsync(socket, """{"type":"unsubscribe","channels":["system"]}""");
        Assert.Equal(0, (await ReceiveAsync(socket)).GetProperty("data").GetProperty("channels").GetArrayLength());
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Fact]
    public async Task A_download_refused_by_its_host_reaches_downloads_subscribers_with_spec_b_code()
    {
        using var socket = await ConnectAsync();
        await SendAsync(socket, """{"type":"subscribe","channels":["downloads"]}""");
        Assert.Equal("subscribed", (await ReceiveAsync(socket)).GetProperty("type").GetString());

        factory.Services.GetRequiredService<EventBus>().Publish(new ComfyStudio.Services.Downloads.DownloadFailed(
            "dl_refused", "FLUX_TEST", "gated", "checkpoints/gated.safetensors", ComfyStudio.Services.Errors.ErrorCodes.AccessDenied,
            "huggingface.co refused the file (403): HF_TOKEN has no access to this file"));
        var error = await ReceiveAsync(socket, "error");
        Assert.Equal("DOWNLOAD_FAILED", error.GetProperty("data").GetProperty("code").GetString());
        var details = error.GetProperty("data").GetProperty("details");
        Assert.Equal("checkpoints/gated.safetensors", details.GetProperty("file").GetString());
        Assert.True(details.GetProperty("access_denied").GetBoolean());
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Fact]
    public async Task A_cookie_handshake_from_another_site_is_refused_and_from_this_site_accepted()
    {
        var http = factory.CreateAnonymousClient();
        var login = await LoginForm.SubmitAsync(http, StudioFactory.PrimaryKey);
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("comfystudio.auth=", StringComparison.Ordinal)).Split(';')[0];
        var uri = new UriBuilder(factory.Server.BaseAddress) { Scheme = "ws", Path = "/ws" }.Uri;

        var foreign = factory.Server.CreateWebSocketClient();
        foreign.ConfigureRequest = r => { r.Headers.Cookie = cookie; r.Headers.Origin = "https://evil.example"; };
        await Assert.ThrowsAnyAsync<Exception>(() => foreign.ConnectAsync(uri, CancellationToken.None));

        var own = factory.Server.CreateWebSocketClient();
        own.ConfigureRequest = r => { r.Headers.Cookie = cookie; r.Headers.Origin = "http://localhost"; };
        using var socket = await own.ConnectAsync(uri, CancellationToken.None);
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task The_handshake_needs_a_credential()
    {
        var client = factory.Server.CreateWebSocketClient();
        var uri = new UriBuilder(factory.Server.BaseAddress) { Scheme = "ws", Path = "/ws" }.Uri;
        await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync(uri, CancellationToken.None));
    }
}
