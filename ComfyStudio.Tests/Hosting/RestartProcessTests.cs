using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.Hosting;

/// <summary>The built app as a real process: a restart brings it back on the same port, as a new process.</summary>
public sealed class RestartProcessTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDir("restart");

    [Fact]
    public async Task Restart_comes_back_on_the_same_port_in_a_new_process_and_ctrl_c_in_the_terminal_still_stops_it()
    {
        // Started as a terminal starts a job: its own process group, which is what Ctrl+C signals.
        using var app = StudioProcess.Launcher(["dotnet", TestPaths.WebDll()], _dir);
        var terminalJob = app.First.Id;
        var before = await app.UptimeAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(terminalJob, before.GetProperty("pid").GetInt32());

        var restart = await app.Http.PostAsync("/api/admin/system/restart", null);
        Assert.Equal(HttpStatusCode.OK, restart.StatusCode);
        Assert.Equal("Restarting...", (await restart.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());

        var after = await app.UptimeAsync(TimeSpan.FromSeconds(90), notPid: terminalJob);
        var second = after.GetProperty("pid").GetInt32();
        Assert.True(after.GetProperty("uptime_seconds").GetInt64() < before.GetProperty("uptime_seconds").GetInt64() + 60);
        // The process the terminal waits on is still there (as the new one's supervisor), in the same group.
        Assert.False(app.First.HasExited, $"the terminal's process exited: the app now runs behind the terminal's back\n{app.Output}");
        Assert.Equal(terminalJob, StudioProcess.ProcessGroup(second));
        // The same data folder: the key and the database carried over.
        Assert.Equal(HttpStatusCode.OK, (await app.Http.GetAsync("/api/admin/settings")).StatusCode);

        // A second restart: the supervisor starts the app again.
        Assert.Equal(HttpStatusCode.OK, (await app.Http.PostAsync("/api/admin/system/restart", null)).StatusCode);
        var third = (await app.UptimeAsync(TimeSpan.FromSeconds(90), notPid: second)).GetProperty("pid").GetInt32();
        Assert.Equal(terminalJob, StudioProcess.ProcessGroup(third));

        // Ctrl+C: SIGINT to the terminal's foreground group. Everything stops, cleanly.
        app.PressCtrlC();
        Assert.True(app.First.WaitForExit(TimeSpan.FromSeconds(30)), $"Ctrl+C did not stop the app\n{app.Output}");
        await TestWait.UntilAsync(() => StudioProcess.ProcessGroup(third) is null, 10, "the app process ends with its supervisor");
        Assert.True(app.First.ExitCode == 0, $"exit code {app.First.ExitCode}; output:\n{app.Output}");
        Assert.Contains("Ctrl+C here still stops it", app.Output);
    }

    [Fact]
    public async Task A_restart_does_not_wait_on_an_open_log_stream_or_live_feed()
    {
        using var app = new StudioProcess(TestPaths.WebDll(), _dir);
        var first = (await app.UptimeAsync(TimeSpan.FromSeconds(90))).GetProperty("pid").GetInt32();
        using var streaming = new HttpClient { BaseAddress = app.Http.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        streaming.DefaultRequestHeaders.Add("X-API-Key", StudioFactory.PrimaryKey);
        using var sse = await streaming.GetAsync("/api/system/logs?follow=true&lines=1", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await sse.Content.ReadAsStreamAsync());
        Assert.StartsWith("data: {", await reader.ReadLineAsync());
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{app.Port}/ws?api_key={StudioFactory.PrimaryKey}"), CancellationToken.None);

        var asked = DateTime.UtcNow;
        Assert.Equal(HttpStatusCode.OK, (await app.Http.PostAsync("/api/admin/system/restart", null)).StatusCode);

        // Both are ended by the app as it stops, so the stop takes seconds, not the host's 30 s shutdown timeout.
        using var within = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (await ReadOrEndAsync(reader, within.Token) is not null) { }
        var buffer = new byte[4096];
        System.Net.WebSockets.WebSocketReceiveResult result;
        do result = await socket.ReceiveAsync(buffer, within.Token);
        while (result.MessageType != System.Net.WebSockets.WebSocketMessageType.Close);
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.EndpointUnavailable, result.CloseStatus);
        await socket.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None); // as a browser answers
        // The app is back as a new process within seconds of the ask (its host stopped without waiting on either).
        await app.UptimeAsync(TimeSpan.FromSeconds(20), notPid: first);
        Assert.True(DateTime.UtcNow - asked < TimeSpan.FromSeconds(20), $"back after {DateTime.UtcNow - asked}");
        Assert.DoesNotContain("failed to stop", app.Output);
    }

    /// <summary>The next line of a stream, or null at its end (a connection the server drops counts as its end).</summary>
    private static async Task<string?> ReadOrEndAsync(StreamReader reader, CancellationToken ct)
    {
        try { return await reader.ReadLineAsync(ct); }
        catch (Exception e) when (e is IOException or HttpRequestException) { return null; }
    }

    public void Dispose() => TestPaths.TryDelete(_dir);
}
