using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComfyStudio.Tests.Fakes;
using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.Downloads;

/// <summary>
/// The models folder under attack: a folder of an accepted download swapped for a link out of it before cancel,
/// resume or a restart; paths that name folders or hide characters; sizes that overflow; credentials in URLs; and
/// what proved a completed file right.
/// </summary>
public sealed class DownloadSafetyTests : IAsyncLifetime
{
    private const string Victim = "tt/victim.safetensors";
    private static readonly byte[] VictimBytes = Encoding.ASCII.GetBytes("someone else's file, not the studio's");

    private ModelFileServer _server = null!;
    private readonly string _data = TestPaths.NewTempDir("download-safety");
    private readonly string _outside = TestPaths.NewTempDir("outside-models");

    public async Task InitializeAsync() => _server = await ModelFileServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        TestPaths.TryDelete(_data);
        TestPaths.TryDelete(_outside);
    }

    /// <summary>A slow download into <c>tt/</c>, paused with part of it written.</summary>
    private async Task<string> StartAndPauseAsync(DownloadFactory host, HttpClient client, bool pause = true)
    {
        var file = _server.Add("victim.bin", 3_000_000, seed: 71);
        file.BytesPerSecond = 200_000;
        var id = (await DownloadFactory.StartAsync(client, new
        {
            name = "victim", files = new[] { new { url = _server.UrlOf(file.Name), path = Victim, size = file.Size, sha256 = file.Sha256 } },
        })).GetProperty("id").GetString()!;
        await host.UntilAsync(async () => (await client.GetFromJsonAsync<JsonElement>($"/api/downloads/{id}")).GetProperty("downloaded_bytes").GetInt64() > 200_000,
            seconds: 30, what: "part of the file");
        if (pause)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/downloads/{id}/pause", null)).StatusCode);
            await DownloadFactory.WaitForAsync(client, id, ["paused"]);
        }
        return id;
    }

    /// <summary><c>mv models/tt models/tt.real; ln -s /elsewhere models/tt</c>, with a file of someone else's at the part's name there.</summary>
    private void SwapFolderForLink(DownloadFactory host)
    {
        Directory.Move(host.ModelPath("tt"), host.ModelPath("tt.real"));
        File.WriteAllBytes(Path.Combine(_outside, "victim.safetensors.part"), VictimBytes);
        Directory.CreateSymbolicLink(host.ModelPath("tt"), _outside);
    }

    private void AssertOutsideUntouched()
    {
        Assert.Equal(["victim.safetensors.part"], Directory.GetFiles(_outside).Select(Path.GetFileName));
        Assert.Equal(VictimBytes, File.ReadAllBytes(Path.Combine(_outside, "victim.safetensors.part")));
    }

    [Fact]
    public async Task Cancel_after_a_folder_became_a_link_out_deletes_nothing_outside_and_says_why()
    {
        await using var host = new DownloadFactory(_data);
        var client = host.CreateKeyClient();
        var id = await StartAndPauseAsync(host, client);
        SwapFolderForLink(host);

        var body = await ErrorAssert.IsErrorBody(await client.DeleteAsync($"/api/downloads/{id}"), HttpStatusCode.Conflict, "CONFLICT");
        var message = body.GetProperty("error").GetProperty("message").GetString()!;
        Assert.Contains("outside the models folder", message);
        Assert.Equal(Victim + ".part", body.GetProperty("error").GetProperty("details").GetProperty("path").GetString());
        Assert.DoesNotContain(host.ModelPath(""), message);
        AssertOutsideUntouched();
        Assert.Equal("paused", (await client.GetFromJsonAsync<JsonElement>($"/api/downloads/{id}")).GetProperty("status").GetString());

        // The link gone again, the cancel goes through and removes the studio's own part.
        Directory.Delete(host.ModelPath("tt"));
        Directory.Move(host.ModelPath("tt.real"), host.ModelPath("tt"));
        Assert.Equal(HttpStatusCode.OK, (await client.DeleteAsync($"/api/downloads/{id}")).StatusCode);
        Assert.False(File.Exists(host.ModelPath(Victim + ".part")));
        AssertOutsideUntouched();
    }

    [Fact]
    public async Task Resume_after_a_folder_became_a_link_out_writes_nothing_outside_and_fails_with_the_reason()
    {
        await using var host = new DownloadFactory(_data);
        var client = host.CreateKeyClient();
        var id = await StartAndPauseAsync(host, client);
        SwapFolderForLink(host);

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/downloads/{id}/resume", null)).StatusCode);
        var failed = await DownloadFactory.FinishedAsync(client, id);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        var error = failed.GetProperty("files")[0].GetProperty("error").GetString()!;
        Assert.Contains("outside the models folder", error);
        Assert.DoesNotContain(host.ModelPath(""), failed.ToString());
        AssertOutsideUntouched();
        // The studio's own part is where it was, for a resume once the folder is back.
        Assert.True(File.Exists(host.ModelPath("tt.real/victim.safetensors.part")));
    }

    [Fact]
    public async Task The_automatic_resume_after_a_restart_does_not_follow_a_link_out()
    {
        string id;
        await using (var first = new DownloadFactory(_data))
            id = await StartAndPauseAsync(first, first.CreateKeyClient(), pause: false); // stopped mid-transfer
        await using var second = new DownloadFactory(_data);
        SwapFolderForLink(second);
        var client = second.CreateKeyClient();
        var failed = await DownloadFactory.FinishedAsync(client, id);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Contains("outside the models folder", failed.GetProperty("files")[0].GetProperty("error").GetString());
        AssertOutsideUntouched();
    }

    [Fact]
    public async Task A_folder_a_path_through_a_file_and_hidden_characters_are_refused_before_anything_is_written()
    {
        await using var host = new DownloadFactory(_data);
        var client = host.CreateKeyClient();
        Directory.CreateDirectory(host.ModelPath("checkpoints"));
        File.WriteAllBytes(host.ModelPath("checkpoints/a.safetensors"), [1, 2, 3]);
        foreach (var (path, says) in new[]
                 {
                     ("checkpoints", "names a folder"),
                     ("checkpoints/", "names a folder"),
                     ("checkpoints/a.safetensors/b.safetensors", "which is a file"),
                     ("loras/evil\u202Egnp.safetensors", "text-direction"),
                     ("loras/bell\u0007.safetensors", "control"),
                     ("loras/new\nline.safetensors", "control"),
                 })
        {
            var body = await ErrorAssert.IsErrorBody(
                await client.PostAsJsonAsync("/api/downloads", new { name = "x", files = new[] { new { url = _server.UrlOf("x"), path } } }),
                HttpStatusCode.BadRequest, "VALIDATION_ERROR");
            Assert.Contains(says, body.GetProperty("error").GetProperty("message").GetString());
            Assert.DoesNotContain(host.ModelPath(""), body.ToString());
        }
        Assert.False(File.Exists(host.ModelPath("checkpoints.part")));
        Assert.Empty(Directory.GetFiles(host.ModelPath(""), "*.part", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Sizes_that_overflow_a_sum_or_exceed_any_volume_are_refused_with_400()
    {
        await using var host = new DownloadFactory(_data);
        var client = host.CreateKeyClient();
        foreach (var body in new[]
                 {
                     """{"files": [{"url": "http://127.0.0.1:9/a", "path": "a/a.bin", "size": 4611686018427387904}, {"url": "http://127.0.0.1:9/b", "path": "a/b.bin", "size": 4611686018427387904}]}""",
                     """{"files": [{"url": "http://127.0.0.1:9/a", "path": "a/a.bin", "size": 9223372036854775807}]}""",
                     """{"files": [{"url": "http://127.0.0.1:9/a", "path": "a/a.bin", "size": 9223372036854775808}]}""",
                     """{"files": [{"url": "http://127.0.0.1:9/a", "path": "a/a.bin", "size": 0}]}""",
                 })
        {
            var response = await client.PostAsync("/api/downloads", new StringContent(body, Encoding.UTF8, "application/json"));
            await ErrorAssert.IsErrorBody(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        }
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/api/downloads")).GetProperty("downloads").GetArrayLength());
    }

    [Fact]
    public async Task Urls_are_listed_with_their_credentials_masked()
    {
        await using var host = new DownloadFactory(_data);
        var client = host.CreateKeyClient();
        var file = _server.Add("masked.bin", 50_000, seed: 72);
        var url = $"http://owner:hunter2@127.0.0.1:{_server.Port}/files/{file.Name}?token=s3cr3t-token&X-Amz-Signature=abcdef0123&revision=main&api_key=k3y";
        var id = (await DownloadFactory.StartAsync(client, new { name = "masked", files = new[] { new { url, path = "vae/masked.safetensors", size = file.Size, sha256 = file.Sha256 } } }))
            .GetProperty("id").GetString()!;
        Assert.Equal("completed", (await DownloadFactory.FinishedAsync(client, id)).GetProperty("status").GetString());

        // A named key (not the owner's) sees the same list: nothing secret in it.
        var created = await client.PostAsJsonAsync("/api/admin/keys", new { name = "reader" });
        var named = host.CreateKeyClient((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!);
        foreach (var reader in new[] { client, named })
        {
            var text = await reader.GetStringAsync("/api/downloads");
            foreach (var secret in new[] { "hunter2", "owner", "s3cr3t-token", "abcdef0123", "k3y" }) Assert.DoesNotContain(secret, text);
            var shown = JsonDocument.Parse(text).RootElement.GetProperty("downloads")[0].GetProperty("files")[0].GetProperty("url").GetString()!;
            Assert.Contains("revision=main", shown);
            Assert.Contains("token=***", shown);
            Assert.Contains("***@127.0.0.1", shown);
        }
    }

    [Fact]
    public async Task A_completed_file_says_whether_a_hash_or_only_its_size_proved_it()
    {
        await using var host = new DownloadFactory(_data);
        var client = host.CreateKeyClient();
        var hashed = _server.Add("hashed.bin", 60_000, seed: 73);
        var bare = _server.Add("bare.bin", 60_000, seed: 74);
        var id = (await DownloadFactory.StartAsync(client, new
        {
            name = "kinds", files = new object[]
            {
                new { url = _server.UrlOf(hashed.Name), path = "vae/hashed.safetensors", size = hashed.Size, sha256 = hashed.Sha256 },
                new { url = _server.UrlOf(bare.Name), path = "vae/bare.safetensors" },
            },
        })).GetProperty("id").GetString()!;
        var done = await DownloadFactory.FinishedAsync(client, id);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        var files = done.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("path").GetString()!, f => f.GetProperty("verified").GetString());
        Assert.Equal("sha256", files["vae/hashed.safetensors"]);
        Assert.Equal("size", files["vae/bare.safetensors"]);
    }
}
