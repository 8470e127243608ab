using System.Net;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Telemetry;
using ComfyStudio.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Tests.Telemetry;

/// <summary>Builds readers over a throwaway host root, fake programs and a fake RunPod API.</summary>
internal static class TelemetryTestKit
{
    public static TelemetryReader Reader(TelemetryOptions options, StudioOptions? studio = null, HttpMessageHandler? runPod = null,
        TimeProvider? clock = null) =>
        new(Options.Create(options), Options.Create(studio ?? new StudioOptions { StudioDir = Path.GetTempPath() }),
            new HandlerClientFactory(runPod ?? new FakeRunPod(HttpStatusCode.NotFound, "")), clock ?? TimeProvider.System,
            NullLogger<TelemetryReader>.Instance);

    /// <summary>Options for a reader that sees only <paramref name="hostRoot"/> and has no nvidia-smi.</summary>
    public static TelemetryOptions Offline(string hostRoot) => new()
    {
        HostRoot = hostRoot,
        NvidiaSmiPath = Path.Combine(hostRoot, "no-such-nvidia-smi"),
    };

    /// <summary>Writes <paramref name="content"/> to <paramref name="relative"/> under <paramref name="root"/>, creating folders.</summary>
    public static void Write(string root, string relative, string content)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    /// <summary>An executable <c>#!/bin/sh</c> script in <paramref name="dir"/>.</summary>
    public static string Script(string dir, string name, string body)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body.Replace("\r\n", "\n") + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private sealed class HandlerClientFactory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }
}

/// <summary>Answers every request with one status and body, and remembers the requests.</summary>
internal sealed class FakeRunPod(HttpStatusCode status, string body) : HttpMessageHandler
{
    public List<(HttpRequestMessage Request, string Body)> Requests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var sent = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (Requests) Requests.Add((request, sent));
        return new HttpResponseMessage(status) { Content = new StringContent(body) };
    }
}

/// <summary>A throwaway folder, deleted at the end of the test.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = TestPaths.NewTempDir("telemetry");
    public void Dispose() => TestPaths.TryDelete(Path);
    public static implicit operator string(TempDir d) => d.Path;
}
