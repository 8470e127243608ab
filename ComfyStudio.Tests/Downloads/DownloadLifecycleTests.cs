using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using ComfyStudio.Services.Data;
using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Events;
using Hangfire;
using ComfyStudio.Services.Settings;
using ComfyStudio.Tests.Fakes;
using ComfyStudio.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComfyStudio.Tests.Downloads;

/// <summary>Pause, resume, cancel, a shared file, the concurrency limit, the API's validation and the /ws feed.</summary>
public sealed class DownloadLifecycleTests : IAsyncLifetime
{
    private readonly DownloadFactory _host = new();
    private ModelFileServer _server = null!;

    public async Task InitializeAsync() => _server = await ModelFileServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _host.DisposeAsync();
    }

    private static object Files(params (string Url, string Path, long Size, string? Sha)[] files) =>
        files.Select(f => new { url = f.Url, path = f.Path, size = f.Size, sha256 = f.Sha }).ToArray();

    [Fact]
    public async Task A_running_download_keeps_reporting_progress_however_many_newer_ones_the_history_holds()
    {
        var client = _host.CreateKeyClient();
        var slow = _server.Add("history.bin", 2_000_000, seed: 41);
        slow.BytesPerSecond = 20_000; // per connection: it runs for several seconds
        var id = (await DownloadFactory.StartAsync(client, new { name = "older", files = Files((_server.UrlOf(slow.Name), "checkpoints/history.safetensors", slow.Size, null)) }))
            .GetProperty("id").GetString()!;
        await _host.UntilAsync(async () => (await client.GetFromJsonAsync<JsonElement>($"/api/downloads/{id}")).GetProperty("downloaded_bytes").GetInt64() > 0,
            what: "the download to make progress");

        // A busy history: 250 finished downloads, all newer than the running one.
        var now = DateTime.UtcNow;
        await using (var db = await _host.Services.GetRequiredService<IDbContextFactory<StudioDbContext>>().CreateDbContextAsync())
        {
            for (var i = 0; i < 250; i++)
                db.Downloads.Add(new DownloadRecord { Id = $"dl_{i:x12}", Name = $"done {i}", Status = "completed", CreatedAt = now.AddSeconds(i + 1), FinishedAt = now.AddSeconds(i + 1) });
            await db.SaveChangesAsync();
        }

        var ticked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = _host.Services.GetRequiredService<EventBus>().Subscribe<DownloadProgressed>(p =>
        {
            if (p.Download.Id == id) ticked.TrySetResult();
            return Task.CompletedTask;
        });
        await ticked.Task.WaitAsync(TimeSpan.FromSeconds(10));
        // The list puts it first, whatever the limit.
        var page = await client.GetFromJsonAsync<JsonElement>("/api/downloads?limit=10");
        Assert.Equal(id, page.GetProperty("downloads")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Pause_keeps_the_part_resume_finishes_it_and_cancel_removes_only_partial_files()
    {
        var client = _host.CreateKeyClient();
        var slow = _server.Add("slow.bin", 2_000_000, seed: 31);
        slow.BytesPerSecond = 400_000;
        var started = await DownloadFactory.StartAsync(client, new { name = "slow", files = Files((_server.UrlOf(slow.Name), "checkpoints/slow.safetensors", slow.Size, slow.Sha256)) });
        var id = started.GetProperty("id").GetString()!;
        await _host.UntilAsync(async () => (await client.GetFromJsonAsync<JsonElement>($"/api/downloads/{id}")).GetProperty("downloaded_bytes").GetInt64() > 300_000,
            seconds: 45, what: "some progress");

        var paused = await client.PostAsync($"/api/downloads/{id}/pause", null);
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        var body = await paused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("paused", body.GetProperty("status").GetString());
        Assert.Equal(id, body.GetProperty("download_id").GetString());
        var atPause = await client.GetFromJsonAsync<JsonElement>($"/api/downloads/{id}");
        Assert.Equal("paused", atPause.GetProperty("status").GetString());
        Assert.True(File.Exists(_host.ModelPath("checkpoints/slow.safetensors") + ".part"));
        // It stopped: the server sees its connections closed, and no new ones.
        await _host.UntilAsync(() => _server.OpenResponses == 0, what: "the connections to close");
        var requestsAtPause = _server.Requests.Count;
        await TestWait.HoldsAsync(() => _server.Requests.Count == requestsAtPause, TimeSpan.FromMilliseconds(500), "no request after the pause");

        slow.BytesPerSecond = null;
        body = await (await client.PostAsync($"/api/downloads/{id}/resume", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("downloading", body.GetProperty("status").GetString());
        var done = await DownloadFactory.FinishedAsync(client, id);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.True(_server.BytesServed(slow.Name) < slow.Size + 700_000, "resumed, not restarted");

        // Cancel: a second download's partial file goes; the completed file of the first stays.
        var other = _server.Add("other.bin", 2_000_000, seed: 32);
        other.BytesPerSecond = 300_000;
        var second = await DownloadFactory.StartAsync(client, new
        {
            name = "two files",
            files = Files((_server.UrlOf(slow.Name), "checkpoints/slow.safetensors", slow.Size, slow.Sha256),
                (_server.UrlOf(other.Name), "checkpoints/other.safetensors", other.Size, other.Sha256)),
        });
        var secondId = second.GetProperty("id").GetString()!;
        await _host.UntilAsync(() => File.Exists(_host.ModelPath("checkpoints/other.safetensors") + ".part"), what: "the part file");
        var cancelled = await (await client.DeleteAsync($"/api/downloads/{secondId}")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.True(cancelled.GetProperty("files_removed").GetBoolean());
        Assert.False(File.Exists(_host.ModelPath("checkpoints/other.safetensors") + ".part"));
        Assert.True(File.Exists(_host.ModelPath("checkpoints/slow.safetensors")));
        Assert.Equal("cancelled", (await client.GetFromJsonAsync<JsonElement>($"/api/downloads/{secondId}")).GetProperty("status").GetString());
        await ErrorAssert.IsErrorBody(await client.PostAsync($"/api/downloads/{secondId}/resume", null), HttpStatusCode.Conflict, "CONFLICT");

        // A completed download has nothing to cancel: 409, and it stays completed.
        await ErrorAssert.IsErrorBody(await client.DeleteAsync($"/api/downloads/{id}"), HttpStatusCode.Conflict, "CONFLICT");
        Assert.Equal("completed", (await client.GetFromJsonAsync<JsonElement>($"/api/downloads/{id}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Cancelling_one_of_two_downloads_of_a_file_keeps_the_part_for_the_other_and_says_so()
    {
        var client = _host.CreateKeyClient();
        var shared = _server.Add("sharedpart.bin", 2_000_000, seed: 35);
        shared.BytesPerSecond = 200_000;
        var path = "text_encoders/shared-part.safetensors";
        var a = (await DownloadFactory.StartAsync(client, new { name = "a", files = Files((_server.UrlOf(shared.Name), path, shared.Size, shared.Sha256)) })).GetProperty("id").GetString()!;
        var b = (await DownloadFactory.StartAsync(client, new { name = "b", files = Files((_server.UrlOf(shared.Name), path, shared.Size, shared.Sha256)) })).GetProperty("id").GetString()!;
        await _host.UntilAsync(() => File.Exists(_host.ModelPath(path) + ".part"), what: "the part file");

        var cancelled = await (await client.DeleteAsync($"/api/downloads/{a}")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.False(cancelled.GetProperty("files_removed").GetBoolean()); // b still wants it
        Assert.True(File.Exists(_host.ModelPath(path) + ".part"));
        shared.BytesPerSecond = null;
        Assert.Equal("completed", (await DownloadFactory.FinishedAsync(client, b)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_part_file_from_another_version_of_the_file_is_discarded_not_trusted()
    {
        var client = _host.CreateKeyClient();
        var file = _server.Add("changing.bin", 2_000_000, seed: 34);
        file.BytesPerSecond = 400_000;
        var started = await DownloadFactory.StartAsync(client, new { name = "changing", files = Files((_server.UrlOf(file.Name), "vae/changing.safetensors", file.Size, (string?)null)) });
        var id = started.GetProperty("id").GetString()!;
        JsonElement seen = default;
        await _host.UntilAsync(async () =>
        {
            seen = await client.GetFromJsonAsync<JsonElement>($"/api/downloads/{id}");
            return seen.GetProperty("downloaded_bytes").GetInt64() > 300_000 || seen.GetProperty("status").GetString() is "failed" or "completed";
        }, seconds: 45, what: "some progress");
        Assert.True(seen.GetProperty("status").GetString() == "downloading", seen.ToString());
        var pause = await client.PostAsync($"/api/downloads/{id}/pause", null);
        Assert.True(pause.IsSuccessStatusCode, await pause.Content.ReadAsStringAsync());
        await _host.UntilAsync(() => _server.OpenResponses == 0, what: "the connections to close");
        var atPause = await client.GetFromJsonAsync<JsonElement>($"/api/downloads/{id}");
        Assert.True(atPause.GetProperty("status").GetString() == "paused", atPause.ToString());

        // The server now has another version of the file (a new ETag): what was downloaded belongs to the old one.
        var servedBefore = _server.BytesServed(file.Name);
        file.ETag = "v2";
        file.BytesPerSecond = null;
        await client.PostAsync($"/api/downloads/{id}/resume", null);
        Assert.Equal("completed", (await DownloadFactory.FinishedAsync(client, id)).GetProperty("status").GetString());
        Assert.True(_server.BytesServed(file.Name) - servedBefore >= file.Size, $"downloaded again from the start: {servedBefore:N0} then {_server.BytesServed(file.Name):N0}");
        Assert.Equal(file.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(_host.ModelPath("vae/changing.safetensors")))));
    }

    [Fact]
    public async Task A_file_wanted_by_two_downloads_is_fetched_once()
    {
        var client = _host.CreateKeyClient();
        var shared = _server.Add("shared.bin", 1_500_000, seed: 33);
        shared.BytesPerSecond = 1_500_000;
        var a = await DownloadFactory.StartAsync(client, new { name = "a", files = Files((_server.UrlOf(shared.Name), "text_encoders/t5.safetensors", shared.Size, shared.Sha256)) });
        var b = await DownloadFactory.StartAsync(client, new { name = "b", files = Files((_server.UrlOf(shared.Name), "text_encoders/t5.safetensors", shared.Size, shared.Sha256)) });
        Assert.Equal("completed", (await DownloadFactory.FinishedAsync(client, a.GetProperty("id").GetString()!)).GetProperty("status").GetString());
        Assert.Equal("completed", (await DownloadFactory.FinishedAsync(client, b.GetProperty("id").GetString()!)).GetProperty("status").GetString());
        Assert.True(_server.BytesServed(shared.Name) < shared.Size * 13 / 10, $"{_server.BytesServed(shared.Name)} bytes served for one file");
    }

    [Fact]
    public async Task A_download_whose_hangfire_job_is_deleted_goes_on_in_a_new_job()
    {
        var client = _host.CreateKeyClient();
        var file = _server.Add("orphan.bin", 3_000_000, seed: 35);
        file.BytesPerSecond = 80_000; // per connection: the transfer outlasts Hangfire's 5 s check for aborted jobs
        var id = (await DownloadFactory.StartAsync(client, new { name = "orphan", files = Files((_server.UrlOf(file.Name), "vae/orphan.safetensors", file.Size, file.Sha256)) }))
            .GetProperty("id").GetString()!;
        var monitoring = _host.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        string? jobId = null;
        await _host.UntilAsync(() => (jobId = monitoring.ProcessingJobs(0, 20).FirstOrDefault(j => j.Value.Job?.Args.FirstOrDefault() as string == id).Key) is not null,
            seconds: 30, what: "the download's job to run");
        Assert.True(_host.Services.GetRequiredService<IBackgroundJobClient>().Delete(jobId!));
        var done = await DownloadFactory.FinishedAsync(client, id);
        Assert.True(done.GetProperty("status").GetString() == "completed", done.ToString());
        Assert.Equal(file.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(_host.ModelPath("vae/orphan.safetensors")))));
    }

    [Fact]
    public async Task No_more_files_than_max_concurrent_download_at_once_and_the_setting_applies_live()
    {
        var client = _host.CreateKeyClient();
        var settings = _host.Services.GetRequiredService<StudioSettings>();
        await settings.SetMaxConcurrentAsync(1);
        var engine = _host.Services.GetRequiredService<DownloadEngine>();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var f = _server.Add($"c{i}.bin", 600_000, seed: 40 + i);
            f.BytesPerSecond = i == 0 ? 1_000_000 : 100_000; // the later two take a second or two each
            ids.Add((await DownloadFactory.StartAsync(client, new { name = f.Name, files = Files((_server.UrlOf(f.Name), $"loras/c{i}.safetensors", f.Size, f.Sha256)) }))
                .GetProperty("id").GetString()!);
        }
        var most = 0;
        using var watching = new CancellationTokenSource();
        var watch = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested) { most = Math.Max(most, engine.ActiveTransfers); await Task.Delay(10); }
        });
        await DownloadFactory.FinishedAsync(client, ids[0]);
        Assert.Equal(1, most); // one file at a time while the limit was 1
        await settings.SetMaxConcurrentAsync(3); // the rest may now run together
        await _host.UntilAsync(() => engine.ActiveTransfers == 2, what: "the two remaining files downloading together once the limit is raised");
        foreach (var id in ids) Assert.Equal("completed", (await DownloadFactory.FinishedAsync(client, id)).GetProperty("status").GetString());
        await watching.CancelAsync();
        await watch;
        Assert.Equal(2, most);
        Assert.Equal(3, engine.ConcurrencyLimit);
        Assert.Equal(0, engine.ActiveTransfers);
    }

    [Theory]
    [InlineData("../escape.safetensors")]
    [InlineData("checkpoints/../../escape.safetensors")]
    [InlineData("/etc/passwd")]
    [InlineData("checkpoints\\\\x.safetensors")]
    [InlineData("checkpoints/x.safetensors.part")]
    [InlineData("")]
    public async Task Paths_outside_the_models_folder_are_refused(string path)
    {
        var response = await _host.CreateKeyClient().PostAsJsonAsync("/api/downloads", new { name = "x", files = new[] { new { url = "http://127.0.0.1:9/x", path } } });
        await ErrorAssert.IsErrorBody(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task A_link_out_of_the_models_folder_bad_urls_and_bad_fields_are_refused()
    {
        var client = _host.CreateKeyClient();
        var outside = TestPaths.NewTempDir("outside");
        Directory.CreateDirectory(_host.ModelPath(""));
        Directory.CreateSymbolicLink(_host.ModelPath("escape"), outside);
        try
        {
            await ErrorAssert.IsErrorBody(await client.PostAsJsonAsync("/api/downloads", new { files = new[] { new { url = "http://127.0.0.1:9/x", path = "escape/x.safetensors" } } }),
                HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        }
        finally
        {
            Directory.Delete(_host.ModelPath("escape"));
            TestPaths.TryDelete(outside);
        }
        foreach (var body in new[]
                 {
                     """{"files": [{"url": "ftp://x/y", "path": "a/b.bin"}]}""",
                     """{"files": [{"url": "http://x/y", "path": "a/b.bin", "size": -1}]}""",
                     """{"files": [{"url": "http://x/y", "path": "a/b.bin", "sha256": "xyz"}]}""",
                     """{"files": [{"url": "http://x/y", "path": "a/b.bin"}, {"url": "http://x/z", "path": "a/b.bin"}]}""",
                     """{"files": []}""",
                     """{"files": [null]}""",
                     """{"files": "nope"}""",
                     """{"files": [{"url": "http://x/y", "path": "a/b.bin", "size": "big"}]}""",
                     """{"files": [""",
                 })
        {
            var response = await client.PostAsync("/api/downloads", new StringContent(body, Encoding.UTF8, "application/json"));
            await ErrorAssert.IsErrorBody(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        }
        foreach (var (method, url) in new[] { ("GET", "/api/downloads/dl_nope"), ("POST", "/api/downloads/dl_nope/pause"), ("POST", "/api/downloads/dl_nope/resume"), ("DELETE", "/api/downloads/dl_nope") })
            await ErrorAssert.IsErrorBody(await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url)), HttpStatusCode.NotFound, "NOT_FOUND");
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/downloads?limit=0"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task The_list_has_spec_b_fields_with_per_file_progress()
    {
        var client = _host.CreateKeyClient();
        var file = _server.Add("listed.bin", 400_000, seed: 50);
        var started = await DownloadFactory.StartAsync(client, new { name = "Listed", preset_id = "FLUX_TEST", files = Files((_server.UrlOf(file.Name), "vae/listed.safetensors", file.Size, file.Sha256)) });
        await DownloadFactory.FinishedAsync(client, started.GetProperty("id").GetString()!);
        var list = await client.GetFromJsonAsync<JsonElement>("/api/downloads");
        var item = list.GetProperty("downloads").EnumerateArray().First(d => d.GetProperty("id").GetString() == started.GetProperty("id").GetString());
        foreach (var field in new[] { "id", "preset_id", "status", "progress", "speed_mbps", "eta_seconds", "current_file", "files" })
            Assert.True(item.TryGetProperty(field, out _), field);
        Assert.Equal("FLUX_TEST", item.GetProperty("preset_id").GetString());
        Assert.Equal(100, item.GetProperty("progress").GetDouble());
        Assert.Equal(1, list.GetProperty("total").GetInt32());
        Assert.Equal(0, list.GetProperty("active").GetInt32());
        Assert.StartsWith("dl_", item.GetProperty("id").GetString());

        // total and active count every download, not just the page the limit shows.
        var slow = _server.Add("listed2.bin", 2_000_000, seed: 51);
        slow.BytesPerSecond = 100_000;
        var second = (await DownloadFactory.StartAsync(client, new { name = "Listed 2", files = Files((_server.UrlOf(slow.Name), "vae/listed2.safetensors", slow.Size, slow.Sha256)) }))
            .GetProperty("id").GetString()!;
        var page = await client.GetFromJsonAsync<JsonElement>("/api/downloads?limit=1");
        Assert.Equal(1, page.GetProperty("downloads").GetArrayLength());
        Assert.Equal(second, page.GetProperty("downloads")[0].GetProperty("id").GetString()); // active first
        Assert.Equal(2, page.GetProperty("total").GetInt32());
        Assert.Equal(1, page.GetProperty("active").GetInt32());
        await client.DeleteAsync($"/api/downloads/{second}");
    }

    [Fact]
    public async Task The_live_feed_sends_progress_and_completion_to_downloads_subscribers_and_answers_bad_input()
    {
        var file = _server.Add("feed.bin", 1_500_000, seed: 51);
        file.BytesPerSecond = 2_000_000;
        using var socket = await LiveFeedClient.ConnectAsync(_host.Server, "downloads");
        await socket.SendAsync("{ not json");
        var error = await socket.ReceiveAsync(m => m.GetProperty("type").GetString() == "error");
        Assert.Equal("VALIDATION_ERROR", error.GetProperty("data").GetProperty("code").GetString());

        var started = await DownloadFactory.StartAsync(_host.CreateKeyClient(), new { name = "feed", files = Files((_server.UrlOf(file.Name), "vae/feed.safetensors", file.Size, file.Sha256)) });
        var id = started.GetProperty("id").GetString();
        var progress = await socket.ReceiveAsync(m => m.GetProperty("type").GetString() == "download_progress");
        var data = progress.GetProperty("data");
        Assert.Equal(id, data.GetProperty("download_id").GetString());
        Assert.EndsWith("MB/s", data.GetProperty("speed").GetString());
        Assert.Equal(1, data.GetProperty("files").GetProperty("total").GetInt32());
        var complete = await socket.ReceiveAsync(m => m.GetProperty("type").GetString() == "download_complete");
        Assert.Equal(id, complete.GetProperty("data").GetProperty("download_id").GetString());
        Assert.Equal("success", complete.GetProperty("data").GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_live_feed_sends_download_complete_for_a_failure_and_a_cancel_too()
    {
        using var socket = await LiveFeedClient.ConnectAsync(_host.Server, "downloads");
        var client = _host.CreateKeyClient();

        var missing = (await DownloadFactory.StartAsync(client, new { name = "missing", files = Files((_server.UrlOf("no-such.bin"), "vae/missing.safetensors", 1000, (string?)null)) }))
            .GetProperty("id").GetString();
        var failed = await socket.ReceiveAsync(m => m.GetProperty("type").GetString() == "download_complete" && m.GetProperty("data").GetProperty("download_id").GetString() == missing);
        Assert.Equal("failed", failed.GetProperty("data").GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(failed.GetProperty("data").GetProperty("error").GetString()));

        var slow = _server.Add("cancelled-feed.bin", 2_000_000, seed: 52);
        slow.BytesPerSecond = 100_000;
        var cancelled = (await DownloadFactory.StartAsync(client, new { name = "cancelled", files = Files((_server.UrlOf(slow.Name), "vae/cancelled.safetensors", slow.Size, slow.Sha256)) }))
            .GetProperty("id").GetString();
        await socket.ReceiveAsync(m => m.GetProperty("type").GetString() == "download_progress" && m.GetProperty("data").GetProperty("download_id").GetString() == cancelled);
        Assert.Equal(HttpStatusCode.OK, (await client.DeleteAsync($"/api/downloads/{cancelled}")).StatusCode);
        var end = await socket.ReceiveAsync(m => m.GetProperty("type").GetString() == "download_complete" && m.GetProperty("data").GetProperty("download_id").GetString() == cancelled);
        Assert.Equal("cancelled", end.GetProperty("data").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Finished_downloads_can_be_cleared_from_the_list_and_their_files_stay()
    {
        var client = _host.CreateKeyClient();
        var done = _server.Add("clear-done.bin", 80_000, seed: 53);
        var doneId = (await DownloadFactory.StartAsync(client, new { name = "done", files = Files((_server.UrlOf(done.Name), "vae/clear-done.safetensors", done.Size, done.Sha256)) }))
            .GetProperty("id").GetString()!;
        await DownloadFactory.FinishedAsync(client, doneId);
        var slow = _server.Add("clear-running.bin", 2_000_000, seed: 54);
        slow.BytesPerSecond = 50_000;
        var runningId = (await DownloadFactory.StartAsync(client, new { name = "running", files = Files((_server.UrlOf(slow.Name), "vae/clear-running.safetensors", slow.Size, slow.Sha256)) }))
            .GetProperty("id").GetString()!;

        var cleared = await (await client.PostAsync("/api/downloads/clear", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("cleared", cleared.GetProperty("status").GetString());
        Assert.Equal(1, cleared.GetProperty("removed").GetInt32());
        var ids = (await client.GetFromJsonAsync<JsonElement>("/api/downloads")).GetProperty("downloads").EnumerateArray().Select(d => d.GetProperty("id").GetString()).ToList();
        Assert.Equal([runningId], ids);
        Assert.True(File.Exists(_host.ModelPath("vae/clear-done.safetensors")));
        await client.DeleteAsync($"/api/downloads/{runningId}");
    }
}
