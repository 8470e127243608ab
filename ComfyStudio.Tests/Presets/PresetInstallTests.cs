using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComfyStudio.Services.Data;
using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ComfyStudio.Tests.Fakes;
using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.Presets;

/// <summary>Installs and uninstalls against the test file server: verification, shared files, force, 409, 507, hand-placed files.</summary>
public sealed class PresetInstallTests : IAsyncLifetime
{
    private readonly PresetFactory _host = new();
    private ModelFileServer _server = null!;
    private ModelFileServer.ServedFile _a = null!, _b = null!, _shared = null!, _loose = null!;

    public async Task InitializeAsync()
    {
        _server = await ModelFileServer.StartAsync();
        _a = _server.Add("a.safetensors", 700_000, seed: 61);
        _b = _server.Add("b.safetensors", 500_000, seed: 62);
        _shared = _server.Add("t5.safetensors", 900_000, seed: 63);
        _loose = _server.Add("loose.safetensors", 400_000, seed: 64);
        _host.UseRegistry(_server,
            new TestPreset("tiny-flux", "Tiny Flux", "1.0.0", "image", 12,
                new TestPresetFile(_a, "diffusion_models/a.safetensors", WithSha: true),
                new TestPresetFile(_shared, "text_encoders/t5.safetensors", WithSha: true, WithExactSize: true)),
            new TestPreset("tiny-wan", "Tiny Wan", "1.0.0", "video", 0,
                new TestPresetFile(_b, "diffusion_models/b.safetensors", WithSha: true),
                new TestPresetFile(_shared, "text_encoders/t5.safetensors", WithSha: true, WithExactSize: true)),
            // Same files as tiny-flux, as the real registry's wan-22-5b-tiv2 and wan-2-2-t2v-basic share theirs.
            new TestPreset("tiny-twin", "Tiny Twin", "1.0.0", "image", 12,
                new TestPresetFile(_a, "diffusion_models/a.safetensors", WithSha: true),
                new TestPresetFile(_shared, "text_encoders/t5.safetensors", WithSha: true, WithExactSize: true)),
            new TestPreset("tiny-loose", "Tiny Loose", "1.0.0", "image", 8,
                new TestPresetFile(_loose, "loras/loose.safetensors")),
            new TestPreset("tiny-addon", "Tiny Addon", "1.0.0", "image", 8,
                new TestPresetFile(_b, "loras/addon.safetensors")) { Dependencies = ["TINY_LOOSE"] });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _host.DisposeAsync();
    }

    private string Model(string relative) => _host.ModelPath(relative);

    [Fact]
    public async Task An_install_fetches_verifies_and_marks_the_preset_installed_and_a_second_one_is_refused()
    {
        var client = _host.CreateKeyClient();
        var before = await client.GetFromJsonAsync<JsonElement>("/api/presets/tiny-flux");
        Assert.False(before.GetProperty("installed").GetBoolean());
        Assert.All(before.GetProperty("files").EnumerateArray(), f => Assert.Equal("missing", f.GetProperty("state").GetString()));

        var started = await PresetFactory.InstallAsync(client, "TINY_FLUX"); // the Dashboard API's id style
        Assert.Equal("installing", started.GetProperty("status").GetString());
        Assert.Equal("tiny-flux", started.GetProperty("preset_id").GetString());
        // The first install of this host: no download measured yet, so a probe of the host gives the estimate.
        Assert.Equal(JsonValueKind.Number, started.GetProperty("estimated_time_seconds").ValueKind);
        Assert.True(started.GetProperty("estimated_time_seconds").GetInt64() >= 0);
        var downloadId = started.GetProperty("download_id").GetString()!;
        Assert.StartsWith("dl_", downloadId);
        Assert.InRange(started.GetProperty("total_size_bytes").GetInt64(), 1_500_000, 1_700_000); // the registry's two sizes, in decimal MB
        Assert.Equal(Math.Round(started.GetProperty("total_size_bytes").GetInt64() / 1e9, 3), started.GetProperty("total_size_gb").GetDouble()); // decimal GB
        var download = await client.GetFromJsonAsync<JsonElement>($"/api/downloads/{downloadId}");
        Assert.Equal("tiny-flux", download.GetProperty("preset_id").GetString());

        var status = await PresetFactory.InstalledAsync(client, "tiny-flux");
        Assert.True(status.GetProperty("installed").GetBoolean(), status.ToString());
        Assert.Equal(100, status.GetProperty("progress").GetDouble());
        Assert.Equal(2, status.GetProperty("files").GetProperty("completed").GetInt32());
        Assert.Equal(_a.Sha256, PresetFactory.Sha256Of(Model("diffusion_models/a.safetensors")));
        Assert.Equal(_shared.Sha256, PresetFactory.Sha256Of(Model("text_encoders/t5.safetensors")));

        var detail = await client.GetFromJsonAsync<JsonElement>("/api/presets/tiny-flux");
        Assert.True(detail.GetProperty("installed").GetBoolean());
        Assert.NotEqual(JsonValueKind.Null, detail.GetProperty("install_date").ValueKind);
        Assert.All(detail.GetProperty("files").EnumerateArray(), f => Assert.True(f.GetProperty("installed").GetBoolean()));
        var installedOnly = await client.GetFromJsonAsync<JsonElement>("/api/presets?installed=true");
        Assert.Equal(["tiny-flux"], installedOnly.GetProperty("presets").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToArray());

        var again = await client.PostAsJsonAsync("/api/presets/tiny-flux/install", new { });
        var refused = await ErrorAssert.IsErrorBody(again, HttpStatusCode.Conflict, "PRESET_ALREADY_INSTALLED");
        // The install record's date, as every API time: UTC with Z.
        Assert.Equal(detail.GetProperty("install_date").GetString(), refused.GetProperty("error").GetProperty("details").GetProperty("install_date").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", refused.GetProperty("error").GetProperty("details").GetProperty("install_date").GetString());
    }

    [Fact]
    public async Task A_preset_whose_files_another_brought_reads_files_present_and_uninstall_leaves_neither_installed()
    {
        var client = _host.CreateKeyClient();
        var fluxDownload = (await PresetFactory.InstallAsync(client, "tiny-flux")).GetProperty("download_id").GetString();
        Assert.True((await PresetFactory.InstalledAsync(client, "tiny-flux")).GetProperty("installed").GetBoolean());
        var twin = await client.GetFromJsonAsync<JsonElement>("/api/presets/tiny-twin");
        Assert.False(twin.GetProperty("installed").GetBoolean());
        Assert.Equal("files_present", twin.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, twin.GetProperty("install_date").ValueKind);

        // Uninstalling the one installed removes its files (nothing installed needs them) and it never reads installed after.
        var removed = await (await PresetFactory.UninstallAsync(client, "tiny-flux", new { confirm = true })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, removed.GetProperty("files_removed").GetInt32());
        Assert.False(File.Exists(Model("diffusion_models/a.safetensors")));
        foreach (var id in new[] { "tiny-flux", "tiny-twin" })
            Assert.False((await PresetFactory.StatusAsync(client, id)).GetProperty("installed").GetBoolean(), id);
        // Its download still says what it was: completed, 100 %.
        var finished = await client.GetFromJsonAsync<JsonElement>($"/api/downloads/{fluxDownload}");
        Assert.Equal(("completed", 100.0), (finished.GetProperty("status").GetString(), finished.GetProperty("progress").GetDouble()));

        // Files present install at once: nothing to fetch, and it is then installed.
        await PresetFactory.InstallAsync(client, "tiny-flux");
        await PresetFactory.InstalledAsync(client, "tiny-flux");
        var instant = await PresetFactory.InstallAsync(client, "tiny-twin");
        Assert.Equal(0, instant.GetProperty("total_size_bytes").GetInt64());
        Assert.True((await PresetFactory.InstalledAsync(client, "tiny-twin")).GetProperty("installed").GetBoolean());
        // Now both are installed: uninstalling one keeps the files for the other.
        var kept = await (await PresetFactory.UninstallAsync(client, "tiny-twin", new { confirm = true })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, kept.GetProperty("files_removed").GetInt32());
        Assert.True((await PresetFactory.StatusAsync(client, "tiny-flux")).GetProperty("installed").GetBoolean());
        Assert.Equal("files_present", (await PresetFactory.StatusAsync(client, "tiny-twin")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_shared_file_is_fetched_once_kept_while_another_installed_preset_uses_it_and_removed_with_the_last()
    {
        var client = _host.CreateKeyClient();
        await PresetFactory.InstallAsync(client, "tiny-flux");
        Assert.True((await PresetFactory.InstalledAsync(client, "tiny-flux")).GetProperty("installed").GetBoolean());
        await TestWait.UntilAsync(() => _server.OpenResponses == 0, what: "the server to finish its answers");
        var sharedServed = _server.BytesServed(_shared.Name);
        var wan = await PresetFactory.InstallAsync(client, "tiny-wan");
        Assert.InRange(wan.GetProperty("total_size_bytes").GetInt64(), 400_000, 600_000); // only b: the shared file is in place
        Assert.True((await PresetFactory.InstalledAsync(client, "tiny-wan")).GetProperty("installed").GetBoolean());
        await TestWait.UntilAsync(() => _server.OpenResponses == 0, what: "the server to finish its answers");
        Assert.Equal(sharedServed, _server.BytesServed(_shared.Name)); // installed once: the second preset did not ask for it

        // Without confirm nothing is touched.
        await ErrorAssert.IsErrorBody(await PresetFactory.UninstallAsync(client, "tiny-flux", new { }), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await PresetFactory.UninstallAsync(client, "tiny-flux", new { confirm = false }), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.True(File.Exists(Model("diffusion_models/a.safetensors")));

        var first = await PresetFactory.UninstallAsync(client, "tiny-flux", new { confirm = true });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var removed = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("uninstalled", removed.GetProperty("status").GetString());
        Assert.Equal(1, removed.GetProperty("files_removed").GetInt32());
        Assert.Equal(_a.Size, removed.GetProperty("bytes_freed").GetInt64());
        Assert.Equal(["text_encoders/t5.safetensors"], removed.GetProperty("files_kept").EnumerateArray().Select(f => f.GetString()!).ToArray());
        Assert.False(File.Exists(Model("diffusion_models/a.safetensors")));
        Assert.True(File.Exists(Model("text_encoders/t5.safetensors")));
        Assert.True((await PresetFactory.StatusAsync(client, "tiny-wan")).GetProperty("installed").GetBoolean());
        var flux = await PresetFactory.StatusAsync(client, "tiny-flux");
        Assert.False(flux.GetProperty("installed").GetBoolean());
        Assert.Equal("partial", flux.GetProperty("status").GetString()); // its shared file is still there, for the other preset

        var last = await (await PresetFactory.UninstallAsync(client, "TINY_WAN", new { confirm = true })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, last.GetProperty("files_removed").GetInt32());
        Assert.Equal(_b.Size + _shared.Size, last.GetProperty("bytes_freed").GetInt64());
        Assert.False(File.Exists(Model("text_encoders/t5.safetensors")));
        Assert.False((await PresetFactory.StatusAsync(client, "tiny-wan")).GetProperty("installed").GetBoolean());
    }

    [Fact]
    public async Task Remove_dependencies_also_uninstalls_the_presets_it_depends_on()
    {
        var client = _host.CreateKeyClient();
        foreach (var id in new[] { "tiny-loose", "tiny-addon" })
        {
            await PresetFactory.InstallAsync(client, id);
            Assert.True((await PresetFactory.InstalledAsync(client, id)).GetProperty("installed").GetBoolean());
        }
        var detail = await client.GetFromJsonAsync<JsonElement>("/api/presets/tiny-addon");
        Assert.Equal(["tiny-loose"], detail.GetProperty("dependencies").EnumerateArray().Select(d => d.GetString()!).ToArray());

        var alone = await (await PresetFactory.UninstallAsync(client, "tiny-addon", new { confirm = true })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["tiny-addon"], alone.GetProperty("removed_presets").EnumerateArray().Select(d => d.GetString()!).ToArray());
        Assert.True(File.Exists(Model("loras/loose.safetensors"))); // the dependency stays without remove_dependencies

        await PresetFactory.InstallAsync(client, "tiny-addon");
        Assert.True((await PresetFactory.InstalledAsync(client, "tiny-addon")).GetProperty("installed").GetBoolean());
        var both = await (await PresetFactory.UninstallAsync(client, "tiny-addon", new { confirm = true, remove_dependencies = true })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["tiny-addon", "tiny-loose"], both.GetProperty("removed_presets").EnumerateArray().Select(d => d.GetString()!).ToArray());
        Assert.Equal(2, both.GetProperty("files_removed").GetInt32());
        Assert.False(File.Exists(Model("loras/loose.safetensors")));
        Assert.False((await PresetFactory.StatusAsync(client, "tiny-loose")).GetProperty("installed").GetBoolean());
    }

    [Fact]
    public async Task Force_checks_every_file_again_keeps_what_its_hash_proves_and_fetches_what_it_cannot()
    {
        var client = _host.CreateKeyClient();
        await PresetFactory.InstallAsync(client, "tiny-loose");
        Assert.True((await PresetFactory.InstalledAsync(client, "tiny-loose")).GetProperty("installed").GetBoolean());
        await PresetFactory.InstallAsync(client, "tiny-flux");
        Assert.True((await PresetFactory.InstalledAsync(client, "tiny-flux")).GetProperty("installed").GetBoolean());
        await TestWait.UntilAsync(() => _server.OpenResponses == 0, what: "the server to finish its answers");
        var looseServed = _server.BytesServed(_loose.Name);
        var aServed = _server.BytesServed(_a.Name);

        // Without force: 409. With force: the file without a hash comes again; the ones a hash proves stay.
        await ErrorAssert.IsErrorBody(await client.PostAsJsonAsync("/api/presets/tiny-loose/install", new { force = false }), HttpStatusCode.Conflict, "PRESET_ALREADY_INSTALLED");
        var forced = await PresetFactory.InstallAsync(client, "tiny-loose", new { force = true, priority = "high" });
        Assert.Equal(_loose.Size, forced.GetProperty("total_size_bytes").GetInt64(), 50_000d);
        Assert.True((await PresetFactory.InstalledAsync(client, "tiny-loose")).GetProperty("installed").GetBoolean());
        await TestWait.UntilAsync(() => _server.BytesServed(_loose.Name) - looseServed >= _loose.Size, what: "the file without a hash to be fetched again");

        // A file corrupted on disk behind the engine's back: force finds it by its hash and fetches it again.
        var path = Model("diffusion_models/a.safetensors");
        var bytes = File.ReadAllBytes(path);
        bytes[1234] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        await TestWait.UntilAsync(() => _server.OpenResponses == 0, what: "the server to finish its answers");
        var t5Served = _server.BytesServed(_shared.Name);
        await PresetFactory.InstallAsync(client, "tiny-flux", new { force = true });
        Assert.True((await PresetFactory.InstalledAsync(client, "tiny-flux")).GetProperty("installed").GetBoolean());
        Assert.Equal(_a.Sha256, PresetFactory.Sha256Of(path));
        await TestWait.UntilAsync(() => _server.BytesServed(_a.Name) - aServed >= _a.Size, what: "the corrupted file to be fetched again");
        Assert.InRange(_server.BytesServed(_shared.Name) - t5Served, 0, 1000); // proven by its hash: probed, not fetched again
    }

    [Fact]
    public async Task Not_enough_disk_is_refused_with_507_before_anything_starts()
    {
        var client = _host.CreateKeyClient();
        _host.FreeSpace.Available = 1_000_000; // the preset needs about 1.6 MB
        var response = await client.PostAsJsonAsync("/api/presets/tiny-flux/install", new { });
        var error = await ErrorAssert.IsErrorBody(response, HttpStatusCode.InsufficientStorage, "INSUFFICIENT_STORAGE");
        Assert.Contains("tiny-flux", error.GetProperty("error").GetProperty("message").GetString());
        var downloads = await client.GetFromJsonAsync<JsonElement>("/api/downloads");
        Assert.Equal(0, downloads.GetProperty("total").GetInt32());
        Assert.False(Directory.Exists(Model("diffusion_models")) && Directory.EnumerateFileSystemEntries(Model("diffusion_models")).Any());
        Assert.Equal(0, _server.BytesServed(_a.Name));
    }

    [Fact]
    public async Task A_file_placed_by_hand_is_unverified_until_an_install_checks_it_without_fetching_it()
    {
        var client = _host.CreateKeyClient();
        var path = Model("loras/loose.safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var content = new byte[_loose.Size];
        _loose.Fill(content, 0);
        File.WriteAllBytes(path, content);

        var before = await client.GetFromJsonAsync<JsonElement>("/api/presets/tiny-loose");
        Assert.False(before.GetProperty("installed").GetBoolean()); // a path that exists is not an installed file
        Assert.Equal("unverified", before.GetProperty("files")[0].GetProperty("state").GetString());
        Assert.Equal("partial", before.GetProperty("status").GetString());

        await PresetFactory.InstallAsync(client, "tiny-loose");
        Assert.True((await PresetFactory.InstalledAsync(client, "tiny-loose")).GetProperty("installed").GetBoolean());
        Assert.InRange(_server.BytesServed(_loose.Name), 0, 1000); // probed for its size, not fetched
    }

    [Fact]
    public async Task The_install_is_recorded_before_its_download_is_queued_so_a_completion_at_once_finds_it()
    {
        // A download whose files are all in place verifies in milliseconds, so its completion can be handled before the
        // install request's own write: both inserted the install row (a 500, seen in CI), and the completion recorded the
        // version an earlier install had asked for. The request is now written before the download exists.
        var client = _host.CreateKeyClient();
        var seen = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = _host.Services.GetRequiredService<EventBus>().Subscribe<DownloadQueued>(async _ =>
        {
            await using var db = await _host.Services.GetRequiredService<IDbContextFactory<StudioDbContext>>().CreateDbContextAsync();
            var row = await db.PresetInstalls.AsNoTracking().SingleOrDefaultAsync(r => r.PresetId == "tiny-loose");
            seen.TrySetResult(row?.RequestedVersion);
        });
        await PresetFactory.InstallAsync(client, "tiny-loose");
        Assert.Equal("1.0.0", await seen.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True((await PresetFactory.InstalledAsync(client, "tiny-loose")).GetProperty("installed").GetBoolean());
        await TestWait.UntilAsync(async () => (await client.GetFromJsonAsync<JsonElement>("/api/presets/tiny-loose")).GetProperty("installed_version").GetString() == "1.0.0",
            what: "the install to be recorded");
    }

    [Fact]
    public async Task A_half_written_file_does_not_make_a_preset_installed()
    {
        var client = _host.CreateKeyClient();
        var path = Model("loras/loose.safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, new byte[1000]); // what the original's crashed download leaves at the final path
        var status = await PresetFactory.StatusAsync(client, "tiny-loose");
        Assert.False(status.GetProperty("installed").GetBoolean());
        await PresetFactory.InstallAsync(client, "tiny-loose");
        Assert.True((await PresetFactory.InstalledAsync(client, "tiny-loose")).GetProperty("installed").GetBoolean());
        Assert.Equal(_loose.Sha256, PresetFactory.Sha256Of(path));
    }

    [Fact]
    public async Task Updates_compare_the_installed_version_with_the_registry_after_a_sync()
    {
        var client = _host.CreateKeyClient();
        await PresetFactory.InstallAsync(client, "tiny-loose");
        Assert.True((await PresetFactory.InstalledAsync(client, "tiny-loose")).GetProperty("installed").GetBoolean());
        await TestWait.UntilAsync(async () => (await client.GetFromJsonAsync<JsonElement>("/api/presets/tiny-loose")).GetProperty("installed_version").GetString() == "1.0.0",
            what: "the install to be recorded");
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/api/presets/updates")).GetProperty("total").GetInt32());

        // The registry publishes 1.1.0 of the preset (and 2.0.0 of one not installed, which is no update for us).
        TestRegistry.Write(_host.RegistrySource, _server,
            new TestPreset("tiny-loose", "Tiny Loose", "1.1.0", "image", 8, new TestPresetFile(_loose, "loras/loose.safetensors")),
            new TestPreset("tiny-wan", "Tiny Wan", "2.0.0", "video", 0, new TestPresetFile(_b, "diffusion_models/b.safetensors")));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/presets/registry/sync", null)).StatusCode);
        var updates = await client.GetFromJsonAsync<JsonElement>("/api/presets/updates");
        Assert.Equal(1, updates.GetProperty("total").GetInt32());
        var u = updates.GetProperty("updates")[0];
        Assert.Equal("tiny-loose", u.GetProperty("id").GetString());
        Assert.Equal("1.0.0", u.GetProperty("local_version").GetString());
        Assert.Equal("1.1.0", u.GetProperty("remote_version").GetString());
        Assert.Equal("Image Generation", u.GetProperty("category").GetString());
    }

    [Fact]
    public async Task Bad_requests_get_clear_errors()
    {
        var client = _host.CreateKeyClient();
        await ErrorAssert.IsErrorBody(await client.PostAsJsonAsync("/api/presets/no-such-preset/install", new { }), HttpStatusCode.NotFound, "PRESET_NOT_FOUND");
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/presets/..%2F..%2Fetc"), HttpStatusCode.NotFound, "PRESET_NOT_FOUND");
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/presets/nope/status"), HttpStatusCode.NotFound, "PRESET_NOT_FOUND");
        await ErrorAssert.IsErrorBody(await client.PostAsJsonAsync("/api/presets/tiny-flux/install", new { priority = "urgent" }), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await client.PostAsJsonAsync("/api/presets/tiny-flux/install", new { force = "yes" }), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await client.PostAsync("/api/presets/tiny-flux/install", new StringContent("{\"force\":", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await client.DeleteAsync("/api/presets/no-such-preset?confirm=true"), HttpStatusCode.NotFound, "PRESET_NOT_FOUND");
        var downloads = await client.GetFromJsonAsync<JsonElement>("/api/downloads");
        Assert.Equal(0, downloads.GetProperty("total").GetInt32());
        // An install with no body at all is an install with the defaults.
        var response = await client.PostAsync("/api/presets/tiny-loose/install", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // the Dashboard API's code
    }

    [Fact]
    public async Task The_websocket_install_preset_action_starts_an_install()
    {
        var server = _host.Server;
        var ws = server.CreateWebSocketClient();
        ws.ConfigureRequest = r => r.Headers["X-API-Key"] = ComfyStudio.Tests.Infrastructure.StudioFactory.PrimaryKey;
        using var socket = await ws.ConnectAsync(new Uri(server.BaseAddress, "ws"), CancellationToken.None);
        async Task<JsonElement> Ask(string message)
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
            var buffer = new byte[65536];
            var r = await socket.ReceiveAsync(buffer, new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
            return JsonDocument.Parse(buffer.AsMemory(0, r.Count)).RootElement.Clone();
        }
        var unknown = await Ask("""{"type":"action","action":"install_preset","data":{"preset_id":"NOPE"}}""");
        Assert.Equal("error", unknown.GetProperty("type").GetString());
        Assert.Equal("PRESET_NOT_FOUND", unknown.GetProperty("data").GetProperty("code").GetString());
        var missing = await Ask("""{"type":"action","action":"install_preset","data":{}}""");
        Assert.Equal("VALIDATION_ERROR", missing.GetProperty("data").GetProperty("code").GetString());

        var reply = await Ask("""{"type":"action","action":"install_preset","data":{"preset_id":"TINY_LOOSE"}}""");
        Assert.Equal("action_result", reply.GetProperty("type").GetString());
        Assert.Equal("tiny-loose", reply.GetProperty("data").GetProperty("preset_id").GetString());
        Assert.StartsWith("dl_", reply.GetProperty("data").GetProperty("download_id").GetString());
        Assert.True((await PresetFactory.InstalledAsync(_host.CreateKeyClient(), "tiny-loose")).GetProperty("installed").GetBoolean());
    }
}
