using ComfyStudio.Services.Downloads;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using ComfyStudio.Tests.Fakes;
using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.Downloads;

/// <summary>The engine against a real file server with faults: each case ends with a verified file or a clean failure.</summary>
public sealed class DownloadFaultTests(DownloadFaultTests.Fixture fixture) : IClassFixture<DownloadFaultTests.Fixture>
{
    public sealed class Fixture : DownloadFactory, IAsyncLifetime
    {
        public ModelFileServer Files { get; private set; } = null!;
        public async Task InitializeAsync() => Files = await ModelFileServer.StartAsync();
        public new async Task DisposeAsync()
        {
            await Files.DisposeAsync();
            await base.DisposeAsync();
        }
    }

    private ModelFileServer Server => fixture.Files;
    private const long Size = 1_300_000; // five chunks of 256 KiB and a bit

    private async Task<JsonElement> DownloadAsync(ModelFileServer.ServedFile file, string path, bool withSha = true, long? size = null, string? url = null)
    {
        var client = fixture.CreateKeyClient();
        var started = await DownloadFactory.StartAsync(client, new
        {
            name = file.Name,
            files = new[] { new { url = url ?? Server.UrlOf(file.Name), path, size = size ?? file.Size, sha256 = withSha ? file.Sha256 : null } },
        });
        return await DownloadFactory.FinishedAsync(client, started.GetProperty("id").GetString()!);
    }

    private void AssertVerified(JsonElement download, ModelFileServer.ServedFile file, string path)
    {
        Assert.True(download.GetProperty("status").GetString() == "completed", download.ToString());
        var target = fixture.ModelPath(path);
        Assert.True(File.Exists(target));
        Assert.False(File.Exists(target + ".part"));
        Assert.Equal(file.Sha256, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(target))));
        var f = download.GetProperty("files")[0];
        Assert.Equal(file.Sha256, f.GetProperty("sha256").GetString());
        Assert.Equal(100, f.GetProperty("progress").GetDouble());
        Assert.Equal(file.Size, download.GetProperty("downloaded_bytes").GetInt64());
    }

    private static string FailureOf(JsonElement download)
    {
        Assert.True(download.GetProperty("status").GetString() == "failed", download.ToString());
        return download.GetProperty("files")[0].GetProperty("error").GetString()!;
    }

    [Fact]
    public async Task A_ranged_download_uses_several_connections_and_is_verified()
    {
        var file = Server.Add("plain.bin", Size, seed: 11);
        file.BytesPerSecond = 2_000_000; // per connection: what is in flight when a chunk is split stays small
        AssertVerified(await DownloadAsync(file, "checkpoints/plain.safetensors"), file, "checkpoints/plain.safetensors");
        await TestWait.UntilAsync(() => Server.OpenResponses == 0, what: "the server to see every connection end");
        var ranged = Server.Requests.Where(r => r.File == file.Name && r.Status == 206).ToList();
        Assert.True(ranged.Count >= 4, $"{ranged.Count} ranged requests");
        // A connection whose segment was split for an idle one stops at the split; only what was already on its
        // way (at most one 64 KiB write of this server per split) is sent for nothing.
        Assert.InRange(Server.BytesServed(file.Name), Size, Size * 13 / 10);
    }

    [Fact]
    public async Task Dropped_connections_are_retried_from_where_they_stopped()
    {
        var file = Server.Add("drops.bin", Size, seed: 12);
        file.DropCount = 3;
        file.DropAfterBytes = 50_000;
        file.BytesPerSecond = 2_000_000;
        AssertVerified(await DownloadAsync(file, "loras/drops.safetensors"), file, "loras/drops.safetensors");
        // A dropped request is asked for again from where its bytes stopped arriving, not from its start.
        static long Start(ModelFileServer.Served r) => long.Parse(r.Range!["bytes=".Length..r.Range!.IndexOf('-')], System.Globalization.CultureInfo.InvariantCulture);
        // The server records a request when its handler ends, which may come just after the client has what it needs.
        bool ResumedFromWhereItStopped()
        {
            var ranged = Server.Requests.Where(r => r.File == file.Name && r.Range is not null && r.Range != "bytes=0-0").ToList();
            var dropped = ranged.Where(r => r.BytesSent == file.DropAfterBytes).ToList();
            return dropped.Any(d => ranged.Any(r => Start(r) > Start(d) && Start(r) <= Start(d) + file.DropAfterBytes));
        }
        await TestWait.UntilAsync(ResumedFromWhereItStopped, what: $"a request resuming a dropped one where it stopped; seen: {string.Join("; ", Server.Requests.Where(r => r.File == file.Name))}");
    }

    [Fact]
    public async Task Server_errors_and_429_with_retry_after_are_waited_out()
    {
        var errors = Server.Add("errors.bin", Size, seed: 13);
        errors.Fail500 = 3;
        AssertVerified(await DownloadAsync(errors, "vae/errors.safetensors"), errors, "vae/errors.safetensors");

        // Retry-After is honoured even past the longest backoff of the engine's own (0.5 s in these tests).
        var limited = Server.Add("limited.bin", Size, seed: 14);
        limited.Fail429 = 1;
        limited.RetryAfterSeconds = 2;
        var started = DateTime.UtcNow;
        AssertVerified(await DownloadAsync(limited, "vae/limited.safetensors"), limited, "vae/limited.safetensors");
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(1.9), "Retry-After: 2 was honoured");
    }

    [Fact]
    public async Task A_download_waiting_to_retry_says_so_with_no_time_left_until_bytes_move()
    {
        var file = Server.Add("retrying.bin", Size, seed: 15);
        file.Fail429 = 3;
        file.RetryAfterSeconds = 2;
        var client = fixture.CreateKeyClient();
        var id = (await DownloadFactory.StartAsync(client, new
        {
            name = file.Name, files = new[] { new { url = Server.UrlOf(file.Name), path = "vae/retrying.safetensors", size = file.Size, sha256 = file.Sha256 } },
        })).GetProperty("id").GetString()!;
        JsonElement seen = default;
        await fixture.UntilAsync(async () =>
        {
            seen = await client.GetFromJsonAsync<JsonElement>($"/api/downloads/{id}");
            return seen.GetProperty("retrying").ValueKind == JsonValueKind.Object;
        }, what: "the download to say it is retrying");
        var retrying = seen.GetProperty("retrying");
        Assert.InRange(retrying.GetProperty("attempt").GetInt32(), 1, 3);
        Assert.Equal(8, retrying.GetProperty("of").GetInt32());
        Assert.Contains("429", retrying.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, seen.GetProperty("eta_seconds").ValueKind);

        var done = await DownloadFactory.FinishedAsync(client, id);
        AssertVerified(done, file, "vae/retrying.safetensors");
        Assert.Equal(JsonValueKind.Null, done.GetProperty("retrying").ValueKind);
    }

    [Theory]
    [InlineData(1_000_000_000L, 0.0, null)]
    [InlineData(1_000_000_000L, 0.0001, null)]          // a crawl: no "2562047788015215h 30m left"
    [InlineData(1_000_000_000L, double.NaN, null)]
    [InlineData(1_000_000_000L, 10_000_000.0, 100L)]
    [InlineData(1_000_000_000_000L, 1000.0, null)]      // past 30 days
    [InlineData(0L, 10_000_000.0, null)]
    public void The_time_left_is_estimated_only_from_a_speed_that_says_something(long remaining, double speed, long? eta) =>
        Assert.Equal(eta, DownloadView.EstimateSeconds(remaining, speed));

    [Fact]
    public async Task A_server_that_keeps_failing_ends_in_a_clean_failure_after_a_bounded_number_of_attempts()
    {
        var file = Server.Add("broken.bin", Size, seed: 24);
        file.Fail500 = int.MaxValue;
        var download = await DownloadAsync(file, "vae/broken.safetensors");
        var error = FailureOf(download);
        Assert.Contains("500", error);
        Assert.Equal("DOWNLOAD_FAILED", download.GetProperty("files")[0].GetProperty("error_code").GetString());
        Assert.Equal(8, Server.Requests.Count(r => r.File == file.Name)); // Downloads:MaxAttempts
        Assert.False(File.Exists(fixture.ModelPath("vae/broken.safetensors")));
        Assert.False(File.Exists(fixture.ModelPath("vae/broken.safetensors") + ".part"));
    }

    [Fact]
    public async Task A_server_that_answers_a_range_request_with_the_whole_file_is_read_as_one_stream()
    {
        var file = Server.Add("rangesthenwhole.bin", Size, seed: 25);
        file.RangedAnswers = 1; // the probe gets its byte; every later range request gets 200 and the whole file
        AssertVerified(await DownloadAsync(file, "clip/rangesthenwhole.safetensors"), file, "clip/rangesthenwhole.safetensors");
        Assert.Contains(Server.Requests, r => r.File == file.Name && r.Range is not null && r.Range != "bytes=0-0" && r.Status == 200);
    }

    [Fact]
    public async Task A_stalled_connection_is_dropped_and_retried()
    {
        var file = Server.Add("stall.bin", Size, seed: 15);
        file.StallCount = 2;
        file.StallAfterBytes = 30_000;
        AssertVerified(await DownloadAsync(file, "unet/stall.safetensors"), file, "unet/stall.safetensors");
    }

    [Fact]
    public async Task A_server_that_takes_requests_and_never_answers_is_asked_again()
    {
        var file = Server.Add("silent.bin", Size, seed: 23);
        file.SilentCount = 2; // the probe and the first ranged request hang before any header
        AssertVerified(await DownloadAsync(file, "unet/silent.safetensors"), file, "unet/silent.safetensors");
    }

    [Fact]
    public async Task A_server_that_ignores_ranges_is_downloaded_as_one_stream()
    {
        var file = Server.Add("noranges.bin", Size, seed: 16);
        file.IgnoreRanges = true;
        AssertVerified(await DownloadAsync(file, "clip/noranges.safetensors"), file, "clip/noranges.safetensors");
        Assert.DoesNotContain(Server.Requests, r => r.File == file.Name && r.Status == 206);
    }

    [Fact]
    public async Task The_token_goes_to_its_host_and_not_to_the_host_a_redirect_leads_to()
    {
        var file = Server.Add("gated.bin", Size, seed: 17);
        file.RedirectToOtherHost = true;
        file.LinkedSha256 = true;
        // No sha256 in the request: Hugging Face's X-Linked-Etag on the redirect is the expected hash.
        AssertVerified(await DownloadAsync(file, "checkpoints/gated.safetensors", withSha: false), file, "checkpoints/gated.safetensors");
        var requests = Server.Requests.Where(r => r.File == file.Name).ToList();
        Assert.Contains(requests, r => r.Host == "127.0.0.1" && r.Authorization == "Bearer " + DownloadFactory.HfToken);
        Assert.Contains(requests, r => r.Host == "localhost" && r.Status == 206);
        Assert.All(requests.Where(r => r.Host == "localhost"), r => Assert.Null(r.Authorization));
    }

    [Fact]
    public async Task A_401_fails_at_once_and_says_which_token()
    {
        var file = Server.Add("private.bin", Size, seed: 18);
        file.RequiredToken = "another-token";
        var error = FailureOf(await DownloadAsync(file, "checkpoints/private.safetensors"));
        Assert.Contains("401", error);
        Assert.Contains("HF_TOKEN", error);
        Assert.True(Server.Requests.Count(r => r.File == file.Name) <= 2, "no retries on 401");
        Assert.False(File.Exists(fixture.ModelPath("checkpoints/private.safetensors")));
    }

    [Fact]
    public async Task A_403_fails_at_once_and_says_the_token_lacks_access_with_spec_b_codes()
    {
        var file = Server.Add("forbidden.bin", Size, seed: 26);
        file.Forbidden = true;
        var download = await DownloadAsync(file, "checkpoints/forbidden.safetensors");
        var error = FailureOf(download);
        Assert.Contains("403", error);
        Assert.Contains("HF_TOKEN has no access", error);
        var f = download.GetProperty("files")[0];
        Assert.Equal("DOWNLOAD_FAILED", f.GetProperty("error_code").GetString()); // the Dashboard API's code; the refusal is a flag beside it
        Assert.True(f.GetProperty("access_denied").GetBoolean());
        Assert.True(Server.Requests.Count(r => r.File == file.Name) <= 2, "no retries on 403");
    }

    [Fact]
    public async Task A_cdn_link_that_expires_mid_download_is_renewed_through_the_original_url_and_the_download_goes_on()
    {
        var file = Server.Add("signed.bin", Size, seed: 28);
        file.SignedLinkUses = 3; // each link serves the probe and two ranges, then answers 403 as an expired one does
        file.BytesPerSecond = 2_000_000;
        AssertVerified(await DownloadAsync(file, "checkpoints/signed.safetensors"), file, "checkpoints/signed.safetensors");
        var requests = Server.Requests.Where(r => r.File == file.Name).ToList();
        Assert.Contains(requests, r => r.Host == "localhost" && r.Status == 403);
        Assert.True(requests.Count(r => r.Host == "127.0.0.1" && r.Status == 302) >= 2, "the original URL was asked for a fresh link");
    }

    [Fact]
    public async Task A_file_that_changes_on_the_server_mid_download_is_fetched_again_whole_and_never_mixed()
    {
        var file = Server.Add("changing.bin", Size, seed: 29);
        file.ChangeAfterRangedAnswers = 3; // the probe and two ranges are of the first version; the rest of a new one
        file.BytesPerSecond = 2_000_000;
        // No SHA-256 is known, so only If-Range can tell the two versions' bytes apart.
        var download = await DownloadAsync(file, "checkpoints/changing.safetensors", withSha: false);
        AssertVerified(download, file, "checkpoints/changing.safetensors"); // the new version, every byte of it
        Assert.Contains(Server.Requests, r => r.File == file.Name && r.IfRange == "\"v1\"" && r.Status == 200);
    }

    [Fact]
    public async Task A_cdn_whose_servers_give_the_same_file_different_etags_is_not_taken_for_a_change()
    {
        var file = Server.Add("edges.bin", Size, seed: 30);
        file.RedirectToOtherHost = true; // Hugging Face: the file's identity is its linked ETag, the CDN's ETags vary
        file.LinkedSha256 = true;
        file.ETagPerServer = true;
        file.BytesPerSecond = 2_000_000;
        AssertVerified(await DownloadAsync(file, "checkpoints/edges.safetensors", withSha: false), file, "checkpoints/edges.safetensors");
        // A range did come back whole under the other server's ETag; the original URL showed the file unchanged.
        Assert.Contains(Server.Requests, r => r.File == file.Name && r.IfRange is not null && r.Status == 200);
    }

    [Fact]
    public async Task The_civitai_key_goes_as_a_query_to_civitai_only_and_not_where_a_redirect_leads()
    {
        var file = Server.Add("civit.bin", Size, seed: 27);
        file.RedirectToHost = "127.0.0.1"; // "localhost" plays CivitAI here; its CDN is another host
        AssertVerified(await DownloadAsync(file, "loras/civit.safetensors", url: $"{Server.OtherHostUrl}/files/{file.Name}"), file, "loras/civit.safetensors");
        var requests = Server.Requests.Where(r => r.File == file.Name).ToList();
        Assert.Contains(requests, r => r.Host == "localhost" && r.Status == 302 && r.Query.Contains("token=" + DownloadFactory.CivitaiKey));
        Assert.Contains(requests, r => r.Host == "127.0.0.1" && r.Status == 206);
        Assert.All(requests.Where(r => r.Host == "127.0.0.1"), r => Assert.DoesNotContain("token=", r.Query));
    }

    [Fact]
    public async Task A_completed_file_deleted_by_hand_is_fetched_again_when_asked_for()
    {
        var file = Server.Add("deleted.bin", Size, seed: 28);
        AssertVerified(await DownloadAsync(file, "vae/deleted.safetensors"), file, "vae/deleted.safetensors");
        File.Delete(fixture.ModelPath("vae/deleted.safetensors"));
        AssertVerified(await DownloadAsync(file, "vae/deleted.safetensors"), file, "vae/deleted.safetensors");

        // Changed by hand (another size): fetched again as well, not reported as in place.
        File.WriteAllBytes(fixture.ModelPath("vae/deleted.safetensors"), [1, 2, 3]);
        AssertVerified(await DownloadAsync(file, "vae/deleted.safetensors"), file, "vae/deleted.safetensors");
    }

    [Fact]
    public async Task A_new_part_file_reserves_its_whole_size_on_the_volume_before_the_bytes_arrive()
    {
        // A disk that cannot hold the file then says so at the start (fallocate fails), not half-way.
        var file = Server.Add("reserved.bin", 8_000_000, seed: 29);
        file.BytesPerSecond = 50_000;
        var client = fixture.CreateKeyClient();
        var id = (await DownloadFactory.StartAsync(client, new
        {
            name = file.Name, files = new[] { new { url = Server.UrlOf(file.Name), path = "checkpoints/reserved.safetensors", size = file.Size } },
        })).GetProperty("id").GetString()!;
        var part = fixture.ModelPath("checkpoints/reserved.safetensors") + ".part";
        try
        {
            await fixture.UntilAsync(() => File.Exists(part), what: "the part file");
            var (blocks, blockSize) = AllocatedBlocks(part);
            Assert.True(blocks * blockSize >= file.Size, $"{blocks * blockSize:N0} bytes allocated for a {file.Size:N0}-byte file");
        }
        finally
        {
            await client.DeleteAsync($"/api/downloads/{id}");
        }
    }

    /// <summary>What <c>stat</c> says is allocated to a file: blocks and the block unit.</summary>
    private static (long Blocks, long Unit) AllocatedBlocks(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%b %B", path]) { RedirectStandardOutput = true })!;
        var parts = stat.StandardOutput.ReadToEnd().Trim().Split(' ');
        stat.WaitForExit();
        return (long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Wrong_bytes_fail_the_hash_and_leave_nothing_behind()
    {
        var file = Server.Add("corrupt.bin", Size, seed: 19);
        file.CorruptAt = 700_000;
        var download = await DownloadAsync(file, "checkpoints/corrupt.safetensors");
        var error = FailureOf(download);
        Assert.Contains("SHA-256 mismatch", error);
        Assert.Equal("DOWNLOAD_FAILED", download.GetProperty("files")[0].GetProperty("error_code").GetString());
        Assert.False(File.Exists(fixture.ModelPath("checkpoints/corrupt.safetensors")));
        Assert.False(File.Exists(fixture.ModelPath("checkpoints/corrupt.safetensors") + ".part"));
    }

    [Fact]
    public async Task A_size_that_differs_from_the_expected_one_fails_before_downloading()
    {
        var file = Server.Add("size.bin", Size, seed: 20);
        var error = FailureOf(await DownloadAsync(file, "checkpoints/size.safetensors", size: Size + 1));
        Assert.Contains("were expected", error);
        Assert.True(Server.BytesServed(file.Name) <= 1, "only the probe's byte");
    }

    [Fact]
    public async Task A_file_already_in_place_and_verified_is_not_downloaded_again()
    {
        var file = Server.Add("present.bin", Size, seed: 21);
        Directory.CreateDirectory(Path.GetDirectoryName(fixture.ModelPath("vae/present.safetensors"))!);
        File.WriteAllBytes(fixture.ModelPath("vae/present.safetensors"), file.Content());
        AssertVerified(await DownloadAsync(file, "vae/present.safetensors"), file, "vae/present.safetensors");
        Assert.True(Server.BytesServed(file.Name) <= 1);
    }

    [Fact]
    public async Task Not_enough_disk_space_is_refused_before_the_first_byte()
    {
        var file = Server.Add("big.bin", Size, seed: 22);
        var client = fixture.CreateKeyClient();
        fixture.FreeSpace.Available = Size / 2;
        try
        {
            var response = await client.PostAsJsonAsync("/api/downloads", new
            {
                name = "too big", files = new[] { new { url = Server.UrlOf(file.Name), path = "checkpoints/big.safetensors", size = Size } },
            });
            await ErrorAssert.IsErrorBody(response, HttpStatusCode.InsufficientStorage, "INSUFFICIENT_STORAGE");

            // Without a size in the request the transfer learns it, and refuses before writing.
            var started = await DownloadFactory.StartAsync(client, new
            {
                name = "unknown size", files = new[] { new { url = Server.UrlOf(file.Name), path = "checkpoints/big.safetensors" } },
            });
            var download = await DownloadFactory.FinishedAsync(client, started.GetProperty("id").GetString()!);
            Assert.Contains("not enough disk space", FailureOf(download));
            Assert.Equal("INSUFFICIENT_STORAGE", download.GetProperty("files")[0].GetProperty("error_code").GetString());
            Assert.True(Server.BytesServed(file.Name) <= 1);
        }
        finally
        {
            fixture.FreeSpace.Available = long.MaxValue / 4;
        }
    }
}
