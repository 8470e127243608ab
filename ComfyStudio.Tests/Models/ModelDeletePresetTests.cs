using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ComfyStudio.Tests.Models;

/// <summary>Deleting a file an installed preset needs: refused with the preset's name, then forced, and the preset reads as not installed.</summary>
public sealed class ModelDeletePresetTests : IAsyncLifetime
{
    private readonly PresetFactory _host = new();
    private ModelFileServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await ModelFileServer.StartAsync();
        var file = _server.Add("keep.safetensors", 300_000, seed: 71);
        var hashed = _server.Add("hashme.bin", 2_500_000, seed: 72);
        _host.UseRegistry(_server,
            new TestPreset("tiny-keep", "Tiny Keep", "1.0.0", "image", 8, new TestPresetFile(file, "checkpoints/keep.safetensors", WithSha: true)),
            new TestPreset("tiny-hash", "Tiny Hash", "1.0.0", "image", 8, new TestPresetFile(hashed, "checkpoints/hashme.bin", WithSha: true)));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task A_file_an_installed_preset_needs_is_kept_unless_forced()
    {
        var client = _host.CreateKeyClient();
        await PresetFactory.InstallAsync(client, "tiny-keep");
        await PresetFactory.InstalledAsync(client, "tiny-keep");
        var listed = await client.GetFromJsonAsync<JsonElement>("/api/models?search=keep");
        Assert.Equal("tiny-keep", listed.GetProperty("models")[0].GetProperty("preset").GetString());

        async Task<JsonElement> DeleteAsync(bool force) => await (await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/models")
        {
            Content = JsonContent.Create(new { paths = new[] { "checkpoints/keep.safetensors" }, confirm = true, force }),
        })).Content.ReadFromJsonAsync<JsonElement>();

        var refused = await DeleteAsync(force: false);
        Assert.Equal(0, refused.GetProperty("deleted").GetInt32());
        Assert.Contains("tiny-keep", refused.GetProperty("errors")[0].GetProperty("error").GetString());
        Assert.True(File.Exists(_host.ModelPath("checkpoints/keep.safetensors")));

        var forced = await DeleteAsync(force: true);
        Assert.Equal(1, forced.GetProperty("deleted").GetInt32());
        Assert.False(File.Exists(_host.ModelPath("checkpoints/keep.safetensors")));
        var preset = await client.GetFromJsonAsync<JsonElement>("/api/presets/tiny-keep");
        Assert.False(preset.GetProperty("installed").GetBoolean());
        Assert.Equal("missing", preset.GetProperty("files")[0].GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_flipped_byte_passes_the_quick_check_and_is_caught_by_the_full_one_which_marks_the_preset_not_installed()
    {
        var client = _host.CreateKeyClient();
        await PresetFactory.InstallAsync(client, "tiny-hash");
        await PresetFactory.InstalledAsync(client, "tiny-hash");
        var path = _host.ModelPath("checkpoints/hashme.bin");
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[1_234_567] ^= 0xFF; // same size, one byte wrong
        await File.WriteAllBytesAsync(path, bytes);

        var quick = await client.GetFromJsonAsync<JsonElement>("/api/models/validate?preset=tiny-hash");
        Assert.Equal(0, quick.GetProperty("errors").GetArrayLength());

        var started = await client.GetAsync("/api/models/validate?full=true&preset=tiny-hash");
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.StartsWith("mv_", (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString());
        await TestWait.UntilAsync(async () =>
        {
            var m = (await client.GetFromJsonAsync<JsonElement>("/api/models?search=hashme")).GetProperty("models");
            return m.GetArrayLength() == 1 && !m[0].GetProperty("valid").GetBoolean();
        }, 30, "the full check to find the mismatch");
        var model = (await client.GetFromJsonAsync<JsonElement>("/api/models?search=hashme")).GetProperty("models")[0];
        Assert.Contains("SHA-256 mismatch", model.GetProperty("problem").GetString());
        await TestWait.UntilAsync(async () => !(await client.GetFromJsonAsync<JsonElement>("/api/presets/tiny-hash")).GetProperty("installed").GetBoolean(),
            10, "the preset to read as not installed");
    }

    [Fact]
    public async Task A_file_cut_short_since_its_download_fails_the_quick_check_by_its_size()
    {
        var client = _host.CreateKeyClient();
        await PresetFactory.InstallAsync(client, "tiny-hash");
        await PresetFactory.InstalledAsync(client, "tiny-hash");
        var path = _host.ModelPath("checkpoints/hashme.bin");
        await TestWait.UntilAsync(async () => (await client.GetFromJsonAsync<JsonElement>("/api/models/validate?preset=tiny-hash")).GetProperty("validated").GetInt32() == 1,
            10, "the index to hold the installed file");
        var bytes = await File.ReadAllBytesAsync(path);
        await File.WriteAllBytesAsync(path, bytes[..^1000]);
        await TestWait.UntilAsync(async () =>
        {
            var check = await client.GetFromJsonAsync<JsonElement>("/api/models/validate?preset=tiny-hash");
            return check.GetProperty("errors").EnumerateArray().Any(e => e.GetProperty("error").GetString()!.Contains("were downloaded"));
        }, 10, "the quick check to see the size");
    }
}
