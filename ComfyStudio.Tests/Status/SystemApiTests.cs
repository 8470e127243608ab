using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ComfyStudio.Tests.Fakes;
using ComfyStudio.Tests.Infrastructure;
using ComfyStudio.Web.Hosting;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Tests.Status;

/// <summary>The System API's system routes and the Dashboard API's, against a ComfyUI fake that speaks the real protocol.</summary>
public sealed class SystemApiTests(SystemApiTests.SystemFactory factory) : IClassFixture<SystemApiTests.SystemFactory>
{
    public sealed class SystemFactory : StudioFactory, IAsyncLifetime
    {
        public FakeComfyUi ComfyUi { get; private set; } = null!;
        public RecordingRestart Restart { get; } = new();

        public async Task InitializeAsync()
        {
            ComfyUi = await FakeComfyUi.StartAsync();
            // A catalog, a model on disk, and workflow templates: the status counts them live.
            Directory.CreateDirectory(Path.Combine(DataDir, "catalogs"));
            File.WriteAllText(Path.Combine(DataDir, "catalogs", "models.json"), """
                {"version": 3, "date": "2026-11-20 10:00", "categories": [
                  {"id": "vae", "name": "VAE", "models": [
                    {"name": "Wan VAE", "file": "wan_vae.safetensors", "dest": "vae", "source": "huggingface", "size_gb": 0.2},
                    {"name": "Flux VAE", "file": "ae.safetensors", "dest": "vae", "source": "huggingface", "size_gb": 0.3},
                    {"name": "Escape", "file": "passwd", "dest": "../../../../etc", "source": "huggingface", "size_gb": 0}]}]}
                """);
            File.WriteAllText(Path.Combine(DataDir, "catalogs", "loras.json"), """{"version": 1, "categories": [{"id": "other", "models": [{"file": "a.safetensors"}]}]}""");
            Directory.CreateDirectory(Path.Combine(ComfyUiDir, "models", "vae"));
            File.WriteAllBytes(Path.Combine(ComfyUiDir, "models", "vae", "wan_vae.safetensors"), new byte[2048]);
            File.WriteAllBytes(Path.Combine(ComfyUiDir, "models", "vae", "half.safetensors.part"), new byte[512]);
            Directory.CreateDirectory(Path.Combine(ComfyUiDir, "models", "loras", "style"));
            File.WriteAllBytes(Path.Combine(ComfyUiDir, "models", "loras", "style", "x.safetensors"), new byte[1024]);
            foreach (var name in new[] { "t2i-basic", "i2v-wan" })
                Directory.CreateDirectory(Path.Combine(DataDir, "workflows", "templates", name));
        }

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["COMFYUI_URL"] = ComfyUi.Url,
            ["TELEGRAM_BOT_TOKEN"] = "123456:telegram-token-value",
            ["TELEGRAM_BOT_NAME"] = "StudioBot",
            ["Telemetry:NvidiaSmiPath"] = "/nonexistent/nvidia-smi",
        };

        protected override void ConfigureTestServices(IServiceCollection services) => services.AddSingleton<IStudioRestart>(Restart);

        public new async Task DisposeAsync()
        {
            await ComfyUi.DisposeAsync();
            await base.DisposeAsync();
        }
    }

    [Fact]
    public async Task Status_has_every_field_of_spec_A_with_live_figures()
    {
        var s = await factory.CreateKeyClient().GetFromJsonAsync<JsonElement>("/api/admin/system/status");
        foreach (var field in new[] { "app_version", "date", "repo_url", "runtime_version", "min_runtime", "components", "comfyui", "nodes", "disk", "database", "telegram_bot" })
            Assert.True(s.TryGetProperty(field, out _), field);
        Assert.Equal("0.1.0", s.GetProperty("app_version").GetString()); // the shipped version.json
        var c = s.GetProperty("components");
        foreach (var name in new[] { "runtime", "backend", "frontend", "models", "loras", "llm_models", "workflows" })
            foreach (var field in new[] { "version", "date", "status" })
                Assert.True(c.GetProperty(name).TryGetProperty(field, out _), $"{name}.{field}");
        Assert.False(c.GetProperty("runtime").GetProperty("updatable").GetBoolean());
        Assert.Equal("running", c.GetProperty("backend").GetProperty("status").GetString());
        // Models are the preset catalog's files (the shipped registry: 71 distinct paths); none is installed and verified yet.
        Assert.Equal(71, c.GetProperty("models").GetProperty("count").GetInt32());
        Assert.Equal(0, c.GetProperty("models").GetProperty("present").GetInt32());
        Assert.Equal("1 lora", c.GetProperty("loras").GetProperty("status").GetString());
        Assert.Equal("0 llm models", c.GetProperty("llm_models").GetProperty("status").GetString());
        Assert.Equal(2, c.GetProperty("workflows").GetProperty("count").GetInt32());

        Assert.Equal("running", s.GetProperty("comfyui").GetProperty("status").GetString());
        Assert.Equal(3, s.GetProperty("nodes").GetProperty("total_packages").GetInt32()); // core, WanVideoWrapper, VideoHelperSuite
        var disk = s.GetProperty("disk");
        Assert.True(disk.GetProperty("total_bytes").GetInt64() > 0);
        // Free is what can be written (df's "Avail"): at most size less use, less where root keeps blocks.
        Assert.InRange(disk.GetProperty("free_bytes").GetInt64(), 0, disk.GetProperty("total_bytes").GetInt64() - disk.GetProperty("used_bytes").GetInt64());
        var tables = s.GetProperty("database").GetProperty("tables");
        foreach (var table in new[] { "jobs", "events", "settings", "saved_prompts" })
            Assert.True(tables.TryGetProperty(table, out var n) && n.GetInt64() >= 0, table);
        Assert.True(tables.GetProperty("settings").GetInt64() >= 0);
        Assert.Equal(JsonValueKind.Null, s.GetProperty("database").GetProperty("browser_url").ValueKind); // not DEV_MODE
        Assert.True(s.GetProperty("telegram_bot").GetProperty("running").GetBoolean());
        Assert.Equal("StudioBot", s.GetProperty("telegram_bot").GetProperty("name").GetString());
    }

    [Fact]
    public async Task ComfyUI_that_fails_is_error_and_one_that_is_gone_is_unreachable()
    {
        factory.ComfyUi.SystemStatsStatus = 500;
        try
        {
            var s = await factory.CreateKeyClient().GetFromJsonAsync<JsonElement>("/api/admin/system/status");
            Assert.Equal("error", s.GetProperty("comfyui").GetProperty("status").GetString());
            Assert.Equal(0, s.GetProperty("nodes").GetProperty("total_packages").GetInt32());
        }
        finally
        {
            factory.ComfyUi.SystemStatsStatus = null;
        }

        using var gone = new ConfiguredFactory(new Dictionary<string, string?> { ["COMFYUI_URL"] = "http://127.0.0.1:9" }); // discard port: nothing listens
        var started = DateTime.UtcNow;
        var body = await gone.CreateKeyClient().GetFromJsonAsync<JsonElement>("/api/admin/system/status");
        Assert.Equal("unreachable", body.GetProperty("comfyui").GetProperty("status").GetString());
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        var b = await gone.CreateKeyClient().GetFromJsonAsync<JsonElement>("/api/system/status");
        Assert.Equal("stopped", b.GetProperty("services").GetProperty("comfyui").GetString());
    }

    [Fact]
    public async Task Telemetry_has_spec_A_fields_and_no_gpu_without_nvidia_smi()
    {
        var t = await factory.CreateKeyClient().GetFromJsonAsync<JsonElement>("/api/admin/telemetry");
        Assert.Equal(JsonValueKind.Null, t.GetProperty("gpu").ValueKind);
        foreach (var field in new[] { "cpu_percent", "ram_total", "ram_used", "ram_percent", "disk_total", "disk_used", "disk_percent" })
            Assert.Equal(JsonValueKind.Number, t.GetProperty(field).ValueKind);
        Assert.True(t.GetProperty("ram_total").GetInt64() > 0);
        Assert.InRange(t.GetProperty("ram_percent").GetDouble(), 0, 100);
        Assert.True(t.GetProperty("disk_total").GetInt64() > 0);
    }

    [Fact]
    public async Task Uptime_is_in_Rome_time_and_restart_checks_in_then_answers()
    {
        var u = await factory.CreateKeyClient().GetFromJsonAsync<JsonElement>("/api/admin/system/uptime");
        Assert.Matches(new Regex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"), u.GetProperty("started_at").GetString()!);
        Assert.True(u.GetProperty("uptime_seconds").GetInt64() >= 0);

        var restart = await factory.CreateKeyClient().PostAsync("/api/admin/system/restart", null);
        Assert.Equal(HttpStatusCode.OK, restart.StatusCode);
        Assert.Equal("Restarting...", (await restart.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());
        Assert.Single(factory.Restart.Reasons);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateAnonymousClient().PostAsync("/api/admin/system/restart", null)).StatusCode);
    }

    [Fact]
    public async Task The_Chrome_extension_comes_as_a_zip_with_a_valid_manifest()
    {
        var response = await factory.CreateKeyClient().GetAsync("/api/admin/system/chrome-extension");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        using var zip = new ZipArchive(await response.Content.ReadAsStreamAsync());
        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.All(names, n => Assert.StartsWith("comfystudio-extension/", n));
        var manifestEntry = zip.GetEntry("comfystudio-extension/manifest.json")!;
        using var manifest = JsonDocument.Parse(manifestEntry.Open());
        var m = manifest.RootElement;
        Assert.Equal(3, m.GetProperty("manifest_version").GetInt32());
        // Every file the manifest names is in the ZIP.
        var referenced = new List<string> { m.GetProperty("action").GetProperty("default_popup").GetString()! };
        referenced.AddRange(m.GetProperty("icons").EnumerateObject().Select(p => p.Value.GetString()!));
        if (m.TryGetProperty("background", out var bg)) referenced.Add(bg.GetProperty("service_worker").GetString()!);
        if (m.TryGetProperty("options_page", out var op)) referenced.Add(op.GetString()!);
        if (m.TryGetProperty("options_ui", out var ou)) referenced.Add(ou.GetProperty("page").GetString()!);
        foreach (var file in referenced) Assert.Contains("comfystudio-extension/" + file, names);
    }

    [Fact]
    public async Task Spec_B_system_routes_answer_in_their_shapes()
    {
        var client = factory.CreateKeyClient();
        var status = await client.GetFromJsonAsync<JsonElement>("/api/system/status");
        Assert.Equal("running", status.GetProperty("status").GetString());
        Assert.True(status.GetProperty("uptime").GetInt64() >= 0);
        Assert.Equal("running", status.GetProperty("services").GetProperty("comfyui").GetString());
        foreach (var field in new[] { "cpu_percent", "memory_percent", "gpu_percent", "disk_used_gb", "disk_total_gb" })
            Assert.True(status.GetProperty("resources").TryGetProperty(field, out _), field);

        var r = await client.GetFromJsonAsync<JsonElement>("/api/system/resources");
        Assert.True(r.GetProperty("cpu").GetProperty("count").GetInt32() >= 1);
        Assert.True(r.GetProperty("cpu").GetProperty("freq").TryGetProperty("current", out _));
        foreach (var field in new[] { "total_gb", "available_gb", "percent", "used_gb" })
            Assert.Equal(JsonValueKind.Number, r.GetProperty("memory").GetProperty(field).ValueKind);
        Assert.Equal(0, r.GetProperty("gpu").GetProperty("count").GetInt32());
        Assert.Empty(r.GetProperty("gpu").GetProperty("devices").EnumerateArray());
        foreach (var field in new[] { "total_gb", "used_gb", "free_gb", "percent" })
            Assert.Equal(JsonValueKind.Number, r.GetProperty("disk").GetProperty(field).ValueKind);

        var storage = await client.GetFromJsonAsync<JsonElement>("/api/system/storage");
        Assert.Equal(2, storage.GetProperty("models").GetProperty("count").GetInt32()); // the .part file is not a model
        Assert.Equal(1, storage.GetProperty("models").GetProperty("by_type").GetProperty("vae").GetInt32());
        Assert.Equal(1, storage.GetProperty("models").GetProperty("by_type").GetProperty("loras").GetInt32());
        Assert.False(storage.GetProperty("models").TryGetProperty("folders", out _));
        foreach (var field in new[] { "path", "used_gb", "total_gb", "available_gb", "usage_percent" })
            Assert.True(storage.GetProperty("workspace").TryGetProperty(field, out _), field);
        var detailed = await client.GetFromJsonAsync<JsonElement>("/api/system/storage?detail=true");
        var vae = detailed.GetProperty("models").GetProperty("folders").EnumerateArray().Single(f => f.GetProperty("folder").GetString() == "vae");
        Assert.Equal(2048, vae.GetProperty("size_bytes").GetInt64());
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/system/storage?detail=maybe"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Logs_filter_by_service_and_follow_streams_new_lines()
    {
        var client = factory.CreateKeyClient();
        var logs = await client.GetFromJsonAsync<JsonElement>("/api/system/logs?service=dashboard&lines=5");
        var lines = logs.GetProperty("logs").EnumerateArray().ToList();
        Assert.InRange(lines.Count, 1, 5);
        Assert.All(lines, l =>
        {
            Assert.Equal("dashboard", l.GetProperty("service").GetString());
            foreach (var field in new[] { "timestamp", "level", "message" }) Assert.True(l.TryGetProperty(field, out _));
        });
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/system/logs?service=kernel"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/system/logs?lines=0"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/system/logs?lines=abc"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/system/logs?service=dashboard&lines=1&follow=true");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var first = await reader.ReadLineAsync(cts.Token);
        Assert.StartsWith("data: {", first);
        var marker = "follow-marker-" + Guid.NewGuid().ToString("n");
        factory.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ComfyStudio.Tests").LogWarning("{Marker}", marker);
        string? line;
        while ((line = await reader.ReadLineAsync(cts.Token)) is not null && !line.Contains(marker)) { }
        Assert.NotNull(line);
        Assert.Contains("\"level\":\"WARNING\"", line);
    }
}
