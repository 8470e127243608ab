using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;

namespace ComfyStudio.Tests.Infrastructure;

/// <summary>A client of the studio's <c>/ws</c> feed over the test server: subscribe, and wait for the message wanted.</summary>
public sealed class LiveFeedClient(WebSocket socket) : IDisposable
{
    public WebSocket Socket => socket;

    /// <summary>Connects with the primary API key and, when channels are given, subscribes to them (the acknowledgement read).</summary>
    public static async Task<LiveFeedClient> ConnectAsync(TestServer server, params string[] channels)
    {
        var uri = new UriBuilder(server.BaseAddress) { Scheme = "ws", Path = "/ws", Query = "api_key=" + StudioFactory.PrimaryKey }.Uri;
        var feed = new LiveFeedClient(await server.CreateWebSocketClient().ConnectAsync(uri, CancellationToken.None));
        if (channels.Length > 0)
        {
            await feed.SendAsync(JsonSerializer.Serialize(new { type = "subscribe", channels }));
            await feed.ReceiveAsync(m => m.GetProperty("type").GetString() == "subscribed");
        }
        return feed;
    }

    public Task SendAsync(string text) => socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next message <paramref name="wanted"/> takes (a message may span several frames), within the time given (30 s).</summary>
    public async Task<JsonElement> ReceiveAsync(Func<JsonElement, bool> wanted, TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(30));
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var builder = new StringBuilder();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, timeout.Token);
                builder.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            } while (!result.EndOfMessage);
            var message = JsonDocument.Parse(builder.ToString()).RootElement.Clone();
            if (wanted(message)) return message;
        }
    }

    public void Dispose() => socket.Dispose();
}
