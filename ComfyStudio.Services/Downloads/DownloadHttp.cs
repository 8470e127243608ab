using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using ComfyStudio.Services.Settings;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Downloads;

/// <summary>
/// The engine's HTTP: redirects followed by hand (at most 10) so that each hop gets only its own host's token, and
/// responses classified into <see cref="FailureKind"/>s.
/// </summary>
public sealed class DownloadHttp(HttpClient http, ModelHosts hosts, StudioSettings settings, IOptions<DownloadOptions> options)
{
    public const string ClientName = "downloads";
    private const int MaxRedirects = 10;

    /// <summary>Learns a file's final URL, size, range support and validators with a one-byte range request.</summary>
    public async Task<RemoteFile> ProbeAsync(Uri url, CancellationToken ct)
    {
        var (response, final, linkedSize, linkedEtag) = await SendAsync(url, 0, 0, ct);
        using (response)
        {
            long? size;
            bool ranges;
            if (response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange is { Length: { } length })
            {
                size = length;
                ranges = true;
            }
            else
            {
                size = response.Content.Headers.ContentLength;
                ranges = false;
            }
            if (linkedSize is { } ls && size is null) size = ls;
            var etag = response.Headers.ETag?.Tag?.Trim('"');
            var strong = response.Headers.ETag is { IsWeak: false, Tag: { Length: > 2 } tag } ? tag : null;
            var sha = linkedEtag is { Length: 64 } le && le.All(Uri.IsHexDigit) ? le.ToLowerInvariant() : null;
            var validator = linkedEtag ?? etag ?? (response.Content.Headers.LastModified is { } lm
                ? $"{size}@{lm.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}" : size?.ToString(CultureInfo.InvariantCulture));
            return new RemoteFile(final, size, ranges, validator, sha, strong);
        }
    }

    /// <summary>
    /// GETs <paramref name="url"/> (the bytes from <paramref name="from"/> to <paramref name="to"/> inclusive when
    /// given, only while the file still has the strong ETag <paramref name="ifRange"/> when that is given) and answers the
    /// response with its headers read. 200 and 206 come back; anything else throws.
    /// </summary>
    public async Task<(HttpResponseMessage Response, Uri FinalUrl, long? LinkedSize, string? LinkedEtag)> SendAsync(
        Uri url, long? from, long? to, CancellationToken ct, string? ifRange = null)
    {
        long? linkedSize = null;
        string? linkedEtag = null;
        var current = url;
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, hosts.ForRequest(current, settings.CivitaiApiKey));
            var token = hosts.IsHuggingFace(current) ? settings.HfToken : null;
            if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (from is not null) request.Headers.Range = new RangeHeaderValue(from, to);
            if (from is not null && ifRange is not null) request.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue(ifRange));
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
            HttpResponseMessage response;
            // A server that takes the request and never answers is a stall too: the same limit applies to the headers.
            using var answer = CancellationTokenSource.CreateLinkedTokenSource(ct);
            answer.CancelAfter(options.Value.StallTimeout);
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, answer.Token);
            }
            catch (HttpRequestException e)
            {
                throw new DownloadHttpException($"{current.Host}: {e.Message}", FailureKind.Retryable, inner: e);
            }
            catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
            {
                throw new DownloadHttpException($"{current.Host} did not answer in time", FailureKind.Retryable, inner: e);
            }
            if (response.Headers.TryGetValues("X-Linked-Size", out var sizes) && long.TryParse(sizes.First(), out var s)) linkedSize = s;
            if (response.Headers.TryGetValues("X-Linked-Etag", out var etags)) linkedEtag = etags.First().Trim('"');
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                response.Dispose();
                current = location.IsAbsoluteUri ? location : new Uri(current, location);
                if (current.Scheme is not ("http" or "https"))
                    throw new DownloadHttpException($"a redirect leads to an unsupported URL ({current.Scheme})", FailureKind.Fatal);
                continue;
            }
            if (status is 200 or 206) return (response, current, linkedSize, linkedEtag);
            var retryAfter = RetryAfter(response);
            response.Dispose();
            throw status switch
            {
                401 or 403 => new DownloadHttpException($"{current.Host} refused the file ({status}): {hosts.AccessHint(current, token is not null || (hosts.IsCivitai(current) && settings.CivitaiApiKey is not null))}", FailureKind.Access),
                404 or 410 => new DownloadHttpException($"{current.Host} has no such file ({status})", FailureKind.Fatal),
                416 => new DownloadHttpException($"{current.Host} cannot serve that range (416): the file changed on the server", FailureKind.Retryable),
                408 or 425 or 429 or >= 500 => new DownloadHttpException($"{current.Host} answered {status}", FailureKind.Retryable, retryAfter),
                _ => new DownloadHttpException($"{current.Host} answered {status}", FailureKind.Fatal),
            };
        }
        throw new DownloadHttpException($"more than {MaxRedirects} redirects", FailureKind.Fatal);
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta;
        if (header?.Date is { } date) return date - DateTimeOffset.UtcNow is { Ticks: > 0 } d ? d : TimeSpan.Zero;
        return null;
    }
}
