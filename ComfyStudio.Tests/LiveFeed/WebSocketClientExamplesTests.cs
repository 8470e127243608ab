using System.Diagnostics;
using ComfyStudio.Services.Downloads;
using ComfyStudio.Tests.Fakes;
using ComfyStudio.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ComfyStudio.Tests.LiveFeed;

/// <summary>
/// The Dashboard API's own WebSocket client examples, as printed there, given a key (<c>?api_key=</c>) and a way to stop:
/// the Python one (Debian's <c>python3-websockets</c>) and the JavaScript one in Chromium, against a real port.
/// </summary>
public sealed class WebSocketClientExamplesTests(WebSocketClientExamplesTests.ExamplesFactory factory) : IClassFixture<WebSocketClientExamplesTests.ExamplesFactory>
{
    public sealed class ExamplesFactory : FileServerBrowserFactory
    {
        public async Task StartSlowDownloadAsync(string name)
        {
            var file = Files.Add(name, 1_500_000, seed: name.Length);
            file.BytesPerSecond = 1_000_000;
            await Services.GetRequiredService<DownloadEngine>().CreateAsync(new DownloadRequest(name,
                [new DownloadFileRequest(Files.UrlOf(name), "checkpoints/" + name, file.Size, file.Sha256)]));
        }
    }

    private const string PythonExample = """
        import asyncio
        import websockets
        import json
        import sys

        async def subscribe_to_updates():
            uri = sys.argv[1]
            async with websockets.connect(uri) as websocket:
                # Subscribe to channels
                await websocket.send(json.dumps({
                    "type": "subscribe",
                    "channels": ["downloads", "queue", "system"]
                }))

                # Listen for messages
                while True:
                    message = await websocket.recv()
                    data = json.loads(message)
                    print(f"Received: {data['type']}", data.get('data'), flush=True)
                    if data['type'] == 'download_complete':
                        return

        # Run
        asyncio.run(asyncio.wait_for(subscribe_to_updates(), 60))
        """;

    [Fact]
    public async Task The_python_example_receives_progress_and_completion()
    {
        var python = "/usr/bin/python3";
        Assert.True(File.Exists(python), "Debian's python3 (apt-get install -y python3-websockets)");
        var script = Path.Combine(factory.DataDir, "ws_example.py");
        await File.WriteAllTextAsync(script, PythonExample);
        var uri = factory.BaseUrl.Replace("http://", "ws://") + "/ws?api_key=" + StudioFactory.PrimaryKey;
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(uri);
        using var process = Process.Start(start)!;
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        var errors = process.StandardError.ReadToEndAsync();
        // The example prints each message as it arrives (flush=True): the download starts once it has subscribed.
        await TestWait.UntilAsync(() => lines.Any(l => l.StartsWith("Received: subscribed", StringComparison.Ordinal)) || process.HasExited,
            30, "the example to connect and subscribe");
        await factory.StartSlowDownloadAsync("py-example.bin");
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "the example finishes when the download does");
        process.WaitForExit(); // the last lines are read
        var printed = string.Join("\n", lines);
        Assert.True(process.ExitCode == 0, printed + await errors);
        Assert.Contains("Received: subscribed", printed);
        Assert.Contains("Received: download_progress", printed);
        Assert.Contains("Received: download_complete", printed);
    }

    [Fact]
    public async Task The_javascript_example_receives_progress_in_a_browser()
    {
        await using var context = await factory.Browser.NewContextAsync();
        var page = await BrowserFactory.NewPageAsync(context);
        await page.GotoAsync(factory.BaseUrl + "/login");
        await page.EvaluateAsync("""
            url => {
              window.received = [];
              window.updateProgressBar = d => window.received.push(['progress', d]);
              window.updateQueueDisplay = d => window.received.push(['queue', d]);
              window.updateSystemStats = d => window.received.push(['system', d]);
              const ws = new WebSocket(url);
              ws.onopen = () => {
                // Subscribe to channels
                ws.send(JSON.stringify({
                  type: 'subscribe',
                  channels: ['downloads', 'queue', 'system']
                }));
              };
              ws.onmessage = (event) => {
                const message = JSON.parse(event.data);
                console.log(`Received: ${message.type}`, message.data);
                window.received.push([message.type]);
                switch (message.type) {
                  case 'download_progress':
                    updateProgressBar(message.data);
                    break;
                  case 'queue_update':
                    updateQueueDisplay(message.data);
                    break;
                  case 'system_status':
                    updateSystemStats(message.data);
                    break;
                }
              };
            }
            """, factory.BaseUrl.Replace("http://", "ws://") + "/ws?api_key=" + StudioFactory.PrimaryKey);
        await page.WaitForFunctionAsync("window.received.some(m => m[0] === 'subscribed')");
        await factory.StartSlowDownloadAsync("js-example.bin");
        await page.WaitForFunctionAsync("window.received.some(m => m[0] === 'progress' && m[1].download_id)");
        await page.WaitForFunctionAsync("window.received.some(m => m[0] === 'download_complete')", null, new() { Timeout = 30_000 });
    }
}
