using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Events;
using ComfyStudio.Web.Api.Errors;

namespace ComfyStudio.Web.LiveFeed;

/// <summary>
/// <c>/ws</c>: the Dashboard API's WebSocket. This is the socket loop: the handshake checks, one sender per socket,
/// the bus subscription filtered by the client's channels, and a clean close when the app stops. What clients may
/// send is <see cref="LiveFeedProtocol"/>; what events become is <see cref="LiveMessages"/>.
/// </summary>
public static class LiveFeedEndpoint
{
    private const int MaxMessageBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapLiveFeed(this IEndpointRouteBuilder app)
    {
        app.Map("/ws", HandleAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task HandleAsync(HttpContext context, EventBus bus)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await ApiErrors.WriteAsync(context, ErrorCodes.ValidationError, "This endpoint speaks WebSocket only");
            return;
        }
        if (!LiveFeedOrigin.Allowed(context))
        {
            await ApiErrors.WriteAsync(context, ErrorCodes.Forbidden, "WebSocket connections from another site are not allowed");
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var subscribed = new ConcurrentDictionary<string, bool>();
        var outbox = Channel.CreateBounded<LiveMessage>(new BoundedChannelOptions(512) { FullMode = BoundedChannelFullMode.DropOldest });
        using var subscription = bus.Subscribe(evt => subscribed.ContainsKey(LiveFeedProtocol.ChannelOf(evt)), evt =>
        {
            foreach (var message in LiveMessages.Of(evt)) outbox.Writer.TryWrite(message);
            return Task.CompletedTask;
        });
        var ct = context.RequestAborted;
        using var receiving = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // The app stopping (a restart) closes the socket ("going away"), or an open one would hold the shutdown for
        // its whole timeout. The close goes after the last queued message (one sender at a time); the client's
        // answer to it ends the receive loop. Cancelling a receive would abort the socket without a close.
        var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var sender = Task.Run(async () =>
        {
            await foreach (var message in outbox.Reader.ReadAllAsync(ct))
                await socket.SendAsync(message.ToUtf8(), WebSocketMessageType.Text, true, ct);
            if (stopping.IsCancellationRequested && socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "the app is restarting", ct);
                receiving.CancelAfter(TimeSpan.FromSeconds(2)); // a client that does not answer the close is cut off
            }
        }, ct);
        using var onStopping = stopping.Register(() => outbox.Writer.TryComplete());

        var buffer = new byte[MaxMessageBytes];
        try
        {
            while (socket.State == WebSocketState.Open && !ct.IsCancellationRequested)
            {
                var (text, closed) = await ReceiveTextAsync(socket, buffer, receiving.Token);
                if (closed) break;
                if (text is null)
                {
                    outbox.Writer.TryWrite(LiveMessage.Error(ErrorCodes.ValidationError, $"Messages must be JSON text under {MaxMessageBytes} bytes"));
                    continue;
                }
                IReadOnlyList<LiveMessage> replies;
                try { replies = await LiveFeedProtocol.AnswerAsync(text, subscribed, context.RequestServices, ct); }
                catch (StudioException e)
                {
                    replies = [LiveMessage.Error(e.Code, e.Message, e.Details.Count > 0 ? e.Details : null)];
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A message we cannot make sense of is the client's problem, never the connection's end.
                    replies = [LiveMessage.Error(ErrorCodes.ValidationError, "The message could not be read")];
                }
                foreach (var reply in replies)
                    outbox.Writer.TryWrite(reply);
            }
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException) { }
        finally
        {
            outbox.Writer.TryComplete();
            try { await sender; } catch (Exception e) when (e is OperationCanceledException or WebSocketException) { }
        }
    }

    private static async Task<(string? Text, bool Closed)> ReceiveTextAsync(WebSocket socket, byte[] buffer, CancellationToken ct)
    {
        var count = 0;
        while (true)
        {
            if (count == buffer.Length)
            {
                // Too long: read the rest of the message away and report it.
                WebSocketReceiveResult skip;
                do skip = await socket.ReceiveAsync(buffer, ct); while (!skip.EndOfMessage && skip.MessageType != WebSocketMessageType.Close);
                return (null, skip.MessageType == WebSocketMessageType.Close);
            }
            var result = await socket.ReceiveAsync(buffer.AsMemory(count), ct);
            if (result.MessageType == WebSocketMessageType.Close) return (null, true);
            count += result.Count;
            if (result.EndOfMessage)
                return result.MessageType == WebSocketMessageType.Text ? (Encoding.UTF8.GetString(buffer, 0, count), false) : (null, false);
        }
    }
}
