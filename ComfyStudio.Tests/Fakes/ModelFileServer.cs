using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ComfyStudio.Tests.Fakes;

/// <summary>
/// A real HTTP server (Kestrel on loopback) serving generated model files with Range support and faults that a test
/// switches on per file: dropped connections, 500s, 429 with Retry-After, stalls, ranges ignored, a redirect to
/// another host name, links to that host signed for a few requests (then 403, like an expired CDN link), 401 without
/// the right token, wrong bytes, a throttle, a new version mid-download (with <c>If-Range</c> honoured). It records
/// what it was asked.
/// </summary>
public sealed class ModelFileServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ServedFile> _files = new(StringComparer.Ordinal);

    public int Port { get; private init; }
    /// <summary>The base URL on 127.0.0.1 (the tests' "Hugging Face" host).</summary>
    public string Url => $"http://127.0.0.1:{Port}";
    /// <summary>The same server under another host name (a CDN a redirect leads to).</summary>
    public string OtherHostUrl => $"http://localhost:{Port}";

    public ConcurrentQueue<Served> Requests { get; } = new();
    private int _open;
    /// <summary>Responses streaming now.</summary>
    public int OpenResponses => Volatile.Read(ref _open);

    public sealed record Served(string File, string Host, string? Authorization, string? Range, int Status, long BytesSent, string Query = "", string? IfRange = null);

    private ModelFileServer(WebApplication app) => _app = app;

    public static async Task<ModelFileServer> StartAsync()
    {
        ModelFileServer? server = null; // requests arrive only once it is returned
        var (app, url) = await LoopbackServer.StartAsync(app =>
            app.MapGet("/files/{name}", (HttpContext context, string name) => server!.ServeAsync(context, name)));
        server = new ModelFileServer(app) { Port = new Uri(url).Port };
        return server;
    }

    /// <summary>Adds a generated file of <paramref name="size"/> bytes; its content depends on <paramref name="seed"/>.</summary>
    public ServedFile Add(string name, long size, int seed = 1)
    {
        var file = new ServedFile(name, size, seed);
        _files[name] = file;
        return file;
    }

    public string UrlOf(string name) => $"{Url}/files/{name}";

    public long BytesServed(string name) => Requests.Where(r => r.File == name).Sum(r => r.BytesSent);

    private async Task ServeAsync(HttpContext context, string name)
    {
        if (!_files.TryGetValue(name, out var file))
        {
            context.Response.StatusCode = 404;
            return;
        }
        var request = context.Request;
        var host = request.Host.Host;
        var auth = request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null;
        var rangeHeader = request.Headers.Range.ToString() is { Length: > 0 } r ? r : null;
        var ifRange = request.Headers.IfRange.ToString() is { Length: > 0 } ir ? ir : null;
        long sent = 0;
        var opened = false;
        var status = 200;
        try
        {
            if (file.RequiredToken is { } token && auth != "Bearer " + token)
            {
                status = 401;
                context.Response.StatusCode = 401;
                return;
            }
            if (file.Forbidden)
            {
                status = 403;
                context.Response.StatusCode = 403;
                return;
            }
            if (file.RedirectToHost is { } target && host != target)
            {
                status = 302;
                context.Response.StatusCode = 302;
                context.Response.Headers.Location = $"http://{target}:{Port}/files/{name}";
                return;
            }
            if (file.SignedLinkUses > 0 && host == "127.0.0.1")
            {
                status = 302;
                context.Response.StatusCode = 302;
                context.Response.Headers.Location = $"{OtherHostUrl}/files/{name}?signature={file.Sign()}";
                return;
            }
            if (file.SignedLinkUses > 0 && !file.TakeSignature(request.Query["signature"].ToString()))
            {
                status = 403; // an expired link: S3 and CloudFront answer 403
                context.Response.StatusCode = 403;
                return;
            }
            if (file.RedirectToOtherHost && host == "127.0.0.1")
            {
                status = 302;
                context.Response.StatusCode = 302;
                context.Response.Headers.Location = $"{OtherHostUrl}/files/{name}";
                if (file.LinkedSha256) // Hugging Face puts the LFS file's size and hash on the redirect
                {
                    context.Response.Headers["X-Linked-Size"] = file.Size.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    context.Response.Headers["X-Linked-Etag"] = "\"" + file.Sha256 + "\"";
                }
                return;
            }
            if (file.Take(ref file.SilentCount))
            {
                status = 0; // never answers
                await Task.Delay(TimeSpan.FromMinutes(5), context.RequestAborted);
                return;
            }
            if (file.Take(ref file.Fail500))
            {
                status = 500;
                context.Response.StatusCode = 500;
                return;
            }
            if (file.Take(ref file.Fail429))
            {
                status = 429;
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = file.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return;
            }

            long from = 0, to = file.Size - 1;
            var ranged = false;
            var version = file.Current; // one answer serves one version from start to end
            // A CDN whose servers tag the same bytes differently: each answer comes from one of two.
            var etag = file.ETagPerServer ? $"{version.ETag}-server{Interlocked.Increment(ref file.ServedCount) % 2}" : version.ETag;
            if (!file.IgnoreRanges && rangeHeader is not null && RangeOf(rangeHeader, file.Size) is { } range
                && (ifRange is null || ifRange == "\"" + etag + "\"") // If-Range: the range only of the same version
                && (file.RangedAnswers is null || Interlocked.Decrement(ref file.RangedAnswersLeft) >= 0))
            {
                (from, to) = range;
                ranged = true;
                if (file.ChangeAfterRangedAnswers is { } n && Interlocked.Increment(ref file.RangedAnswersServed) == n)
                    file.ChangeVersion(); // this answer is of the old version; every later one is of the new
            }
            context.Response.Headers.ETag = "\"" + etag + "\"";
            if (!file.IgnoreRanges) context.Response.Headers.AcceptRanges = "bytes";
            if (file.LinkedSha256)
            {
                context.Response.Headers["X-Linked-Size"] = file.Size.ToString(System.Globalization.CultureInfo.InvariantCulture);
                context.Response.Headers["X-Linked-Etag"] = "\"" + file.Sha256 + "\"";
            }
            status = ranged ? 206 : 200;
            context.Response.StatusCode = status;
            context.Response.ContentLength = to - from + 1;
            if (ranged) context.Response.Headers.ContentRange = $"bytes {from}-{to}/{file.Size}";

            Interlocked.Increment(ref _open);
            opened = true;
            {
                var dropAfter = file.Take(ref file.DropCount) ? file.DropAfterBytes : long.MaxValue;
                var stallAfter = file.Take(ref file.StallCount) ? file.StallAfterBytes : long.MaxValue;
                var buffer = new byte[64 * 1024];
                var at = from;
                while (at <= to)
                {
                    var n = (int)Math.Min(buffer.Length, to - at + 1);
                    if (sent + n > dropAfter) n = (int)Math.Max(0, dropAfter - sent);
                    if (sent + n > stallAfter) n = (int)Math.Max(0, stallAfter - sent);
                    if (n > 0)
                    {
                        file.Fill(version, buffer.AsSpan(0, n), at);
                        await context.Response.Body.WriteAsync(buffer.AsMemory(0, n), context.RequestAborted);
                        await context.Response.Body.FlushAsync(context.RequestAborted);
                        at += n;
                        sent += n;
                    }
                    if (sent >= dropAfter)
                    {
                        // Let the client read what was sent (a reset would throw away its unread buffer), then cut.
                        await Task.Delay(1000, context.RequestAborted);
                        context.Abort();
                        return;
                    }
                    if (sent >= stallAfter)
                    {
                        await Task.Delay(TimeSpan.FromMinutes(5), context.RequestAborted);
                        return;
                    }
                    if (file.BytesPerSecond is { } rate)
                        await Task.Delay(TimeSpan.FromSeconds((double)n / rate), context.RequestAborted);
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
        finally
        {
            // Recorded before the response counts as closed: once OpenResponses is 0, Requests holds every one.
            Requests.Enqueue(new Served(name, host, auth, rangeHeader, status, sent, request.QueryString.Value ?? "", ifRange));
            if (opened) Interlocked.Decrement(ref _open);
        }
    }


    private static (long From, long To)? RangeOf(string header, long size)
    {
        if (!header.StartsWith("bytes=", StringComparison.Ordinal)) return null;
        var parts = header[6..].Split('-');
        if (parts.Length != 2 || !long.TryParse(parts[0], out var from)) return null;
        var to = parts[1].Length == 0 ? size - 1 : long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        return from < size ? (from, Math.Min(to, size - 1)) : null;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>A generated file and its switchable faults (counts are of requests still to fault).</summary>
    public sealed class ServedFile(string name, long size, int seed)
    {
        private static readonly ConcurrentDictionary<int, byte[]> Blocks = new();
        private const int BlockLength = 1_048_573; // prime: the pattern never lines up with chunk boundaries
        private volatile Version _version = new(BlockOf(seed), "v1");
        private string? _sha;
        private int _seed = seed;
        private readonly ConcurrentDictionary<string, int> _signatures = new(StringComparer.Ordinal);
        private int _signed;

        private static byte[] BlockOf(int seed) => Blocks.GetOrAdd(seed, s =>
        {
            var b = new byte[BlockLength];
            new Random(s).NextBytes(b);
            return b;
        });

        public string Name { get; } = name;
        public long Size { get; } = size;
        /// <summary>The bytes and ETag served now.</summary>
        public sealed record Version(byte[] Block, string ETag);
        public Version Current => _version;
        public string ETag { get => _version.ETag; set => _version = _version with { ETag = value }; }
        public string? RequiredToken { get; set; }
        public bool RedirectToOtherHost { get; set; }
        public bool LinkedSha256 { get; set; }
        public bool IgnoreRanges { get; set; }
        /// <summary>Range requests answered with 206 before the server starts answering them with the whole file (200).</summary>
        public int? RangedAnswers { get => _rangedAnswers; set { _rangedAnswers = value; RangedAnswersLeft = value ?? 0; } }
        private int? _rangedAnswers;
        public int RangedAnswersLeft;
        /// <summary>Every request is refused with 403.</summary>
        public bool Forbidden { get; set; }
        /// <summary>Requests to any other host name are redirected to this one.</summary>
        public string? RedirectToHost { get; set; }
        public int RetryAfterSeconds { get; set; } = 1;
        /// <summary>Serve this byte wrong (the data no longer matches its hash).</summary>
        public long? CorruptAt { get; set; }
        public int? BytesPerSecond { get; set; }
        public int Fail500;
        /// <summary>Requests still to be taken and never answered (no headers).</summary>
        public int SilentCount;
        public int Fail429;
        public int DropCount;
        public long DropAfterBytes = 100_000;
        public int StallCount;
        public long StallAfterBytes = 100_000;
        /// <summary>When set, requests to 127.0.0.1 are redirected to the other host with a signed link that serves
        /// this many requests; after that the link answers 403, as an expired CDN link does.</summary>
        public int SignedLinkUses;
        /// <summary>When set, the file becomes a new version (other bytes, same size, another ETag) right after this
        /// many ranged answers.</summary>
        public int? ChangeAfterRangedAnswers;
        /// <summary>Answers come from two servers that give the same bytes different (strong) ETags.</summary>
        public bool ETagPerServer;
        public int ServedCount;
        public int RangedAnswersServed;

        public string Sign()
        {
            var signature = $"s{Interlocked.Increment(ref _signed)}";
            _signatures[signature] = SignedLinkUses;
            return signature;
        }

        public bool TakeSignature(string signature) =>
            _signatures.AddOrUpdate(signature, -1, (_, left) => left - 1) >= 0;

        /// <summary>Publishes a new version of the file: other bytes of the same size, under a new ETag.</summary>
        public void ChangeVersion()
        {
            var now = _version;
            _version = new Version(BlockOf(++_seed + 1000), now.ETag + "-next");
            _sha = null;
        }

        public bool Take(ref int counter)
        {
            int seen;
            do
            {
                seen = Volatile.Read(ref counter);
                if (seen <= 0) return false;
            } while (Interlocked.CompareExchange(ref counter, seen - 1, seen) != seen);
            return true;
        }

        public void Fill(Span<byte> target, long offset) => Fill(_version, target, offset);

        public void Fill(Version version, Span<byte> target, long offset)
        {
            var block = version.Block;
            for (var i = 0; i < target.Length; i++) target[i] = block[(int)((offset + i) % BlockLength)];
            if (CorruptAt is { } c && c >= offset && c < offset + target.Length) target[(int)(c - offset)] ^= 0xFF;
        }

        /// <summary>The true content's SHA-256 (without <see cref="CorruptAt"/>).</summary>
        public string Sha256
        {
            get
            {
                if (_sha is not null) return _sha;
                using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[1 << 20];
                var corrupt = CorruptAt;
                CorruptAt = null;
                for (long at = 0; at < Size; at += buffer.Length)
                {
                    var n = (int)Math.Min(buffer.Length, Size - at);
                    Fill(buffer.AsSpan(0, n), at);
                    sha.AppendData(buffer, 0, n);
                }
                CorruptAt = corrupt;
                return _sha = Convert.ToHexStringLower(sha.GetHashAndReset());
            }
        }

        public byte[] Content()
        {
            var bytes = new byte[Size];
            var corrupt = CorruptAt;
            CorruptAt = null;
            Fill(bytes, 0);
            CorruptAt = corrupt;
            return bytes;
        }
    }
}
