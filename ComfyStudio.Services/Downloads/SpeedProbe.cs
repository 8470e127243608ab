using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Services.Downloads;

/// <summary>
/// How fast a host sends, measured: the first bytes of a file (at most <see cref="ProbeBytes"/>, for at most
/// <see cref="ProbeTime"/>) over one connection, with the host's token. What a first install's time estimate rests
/// on before any download has been measured; one connection of the several a download opens, so it errs long.
/// </summary>
public sealed class SpeedProbe(IServiceProvider services, ModelHosts hosts, ILogger<SpeedProbe> logger)
{
    public const int ProbeBytes = 4 * 1024 * 1024;
    public static readonly TimeSpan ProbeTime = TimeSpan.FromSeconds(2);

    /// <summary>Bytes per second from <paramref name="url"/>, or null when it could not be measured (refused, too few bytes).</summary>
    public async Task<double?> BytesPerSecondAsync(string url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return null;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(ProbeTime + TimeSpan.FromSeconds(3)); // the connection and redirects, then the bytes
        var http = services.GetRequiredService<DownloadHttp>();
        long read = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            var (response, _, _, _) = await http.SendAsync(hosts.Normalize(uri), 0, ProbeBytes - 1, limit.Token);
            using (response)
            {
                if (!response.IsSuccessStatusCode) return null;
                await using var body = await response.Content.ReadAsStreamAsync(limit.Token);
                var buffer = new byte[64 * 1024];
                clock.Restart(); // the time to first byte is latency, not speed
                while (read < ProbeBytes && clock.Elapsed < ProbeTime && await body.ReadAsync(buffer, limit.Token) is var n and > 0)
                    read += n;
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or DownloadHttpException && !ct.IsCancellationRequested)
        {
            logger.LogDebug("The speed of {Host} could not be measured: {Reason}", uri.Host, e.Message);
            if (read == 0) return null;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        return read >= 64 * 1024 && seconds > 0 ? read / seconds : null;
    }
}
