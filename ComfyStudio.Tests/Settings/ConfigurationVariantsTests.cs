using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComfyStudio.Tests.Fakes;
using ComfyStudio.Tests.Infrastructure;
using ComfyStudio.Tests.Telemetry;
using ComfyStudio.Web.Api.Status;

namespace ComfyStudio.Tests.Settings;

/// <summary>
/// What changes with the install's configuration, each on a host of its own: masking at every length the System API's rule
/// names, the RunPod and development groups, the database browser link, GPU figures from nvidia-smi, ComfyUI's queue.
/// </summary>
public sealed class ConfigurationVariantsTests
{
    private static async Task<Dictionary<string, JsonElement>> VarsAsync(StudioFactory factory)
    {
        var body = await factory.CreateKeyClient().GetFromJsonAsync<JsonElement>("/api/admin/settings/env");
        return body.GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("vars").EnumerateArray())
            .ToDictionary(v => v.GetProperty("key").GetString()!);
    }

    private static async Task<List<string>> GroupIdsAsync(StudioFactory factory) =>
        (await factory.CreateKeyClient().GetFromJsonAsync<JsonElement>("/api/admin/settings/env"))
        .GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("id").GetString()!).ToList();

    [Theory]
    [InlineData("", "")]
    [InlineData("abcd", "***")]
    [InlineData("abcde", "ab***")]
    [InlineData("abcdefgh", "ab***")]
    [InlineData("abcdefghi", "abcd***fghi")]
    public async Task A_secret_is_masked_by_its_length_through_the_api(string value, string masked)
    {
        using var factory = new ConfiguredFactory(new Dictionary<string, string?> { ["HF_TOKEN"] = value });
        var hf = (await VarsAsync(factory))["HF_TOKEN"];
        Assert.Equal(masked, hf.GetProperty("value").GetString());
        Assert.Equal(value.Length > 0, hf.GetProperty("set").GetBoolean());
    }

    /// <summary>The real app, as a process: a bad setting stops the start with its name, never a failure later.</summary>
    [Theory]
    [InlineData("Downloads__Connections", "0", "The field Connections must be between 1 and 64")]
    [InlineData("Jobs__DownloadWorkers", "0", "DownloadWorkers")]
    [InlineData("Telemetry__SampleInterval", "00:00:00", "SampleInterval")]
    [InlineData("STUDIO_PORT", "70000", "StudioPort")]
    public void The_app_with_a_bad_setting_exits_saying_which_and_why(string key, string value, string named)
    {
        var root = TestPaths.NewTempDir("bad-setting");
        try
        {
            using var app = new StudioProcess(TestPaths.WebDll(), root, new Dictionary<string, string> { [key] = value });
            Assert.True(app.First.WaitForExit(TimeSpan.FromSeconds(60)), "the app did not stop\n" + app.Output);
            app.First.WaitForExit(); // the output is read to its end
            Assert.True(app.First.ExitCode == 78, $"exit code {app.First.ExitCode}\n{app.Output}");
            Assert.Contains("ComfyStudio did not start, a setting is wrong", app.Output);
            Assert.Contains(named, app.Output);
        }
        finally
        {
            TestPaths.TryDelete(root);
        }
    }

    [Fact]
    public async Task On_RunPod_the_runpod_group_shows_read_only_with_its_key_masked()
    {
        using var factory = new ConfiguredFactory(new Dictionary<string, string?>
        {
            ["HOSTING"] = "runpod", ["RUNPOD_API_KEY"] = "rpa_0123456789SECRET", ["RUNPOD_POD_ID"] = "abc123pod",
        });
        var ids = await GroupIdsAsync(factory);
        Assert.Contains("runpod", ids);
        Assert.DoesNotContain("dev", ids);
        var vars = await VarsAsync(factory);
        Assert.Equal("rpa_***CRET", vars["RUNPOD_API_KEY"].GetProperty("value").GetString());
        Assert.Equal("abc123pod", vars["RUNPOD_POD_ID"].GetProperty("value").GetString());
        Assert.False(vars["RUNPOD_API_KEY"].GetProperty("editable").GetBoolean());
    }

    [Fact]
    public async Task In_dev_mode_the_dev_group_shows_and_the_status_names_the_database_browser()
    {
        using var factory = new ConfiguredFactory(new Dictionary<string, string?>
        {
            ["DEV_MODE"] = "true", ["DB_BROWSER_URL"] = "http://127.0.0.1:8081",
        });
        var ids = await GroupIdsAsync(factory);
        Assert.Contains("dev", ids);
        Assert.DoesNotContain("runpod", ids);
        var status = await factory.CreateKeyClient().GetFromJsonAsync<JsonElement>("/api/admin/system/status");
        Assert.Equal("http://127.0.0.1:8081", status.GetProperty("database").GetProperty("browser_url").GetString());
    }

    [Fact]
    public async Task GPU_figures_from_nvidia_smi_reach_spec_A_telemetry_and_spec_B_resources()
    {
        using var dir = new TempDir();
        // A MIG A100 that reports no utilisation ([N/A]) and a busy RTX 4090, as nvidia-smi prints them.
        var smi = TelemetryTestKit.Script(dir, "nvidia-smi", """
            cat <<'CSV'
            0, NVIDIA A100-SXM4-40GB, 40960, 13, [N/A], 31
            1, NVIDIA GeForce RTX 4090, 24564, 18022, 97, 71
            CSV
            """);
        using var factory = new ConfiguredFactory(new Dictionary<string, string?> { ["Telemetry:NvidiaSmiPath"] = smi });
        var client = factory.CreateKeyClient();

        var gpu = (await client.GetFromJsonAsync<JsonElement>("/api/admin/telemetry")).GetProperty("gpu");
        Assert.Equal("NVIDIA A100-SXM4-40GB", gpu.GetProperty("name").GetString());
        Assert.Equal(40960L * 1024 * 1024, gpu.GetProperty("vram_total").GetInt64());
        Assert.Equal(13L * 1024 * 1024, gpu.GetProperty("vram_used").GetInt64());
        Assert.Equal(0.0, gpu.GetProperty("vram_percent").GetDouble());
        Assert.Equal(JsonValueKind.Null, gpu.GetProperty("util_percent").ValueKind);
        Assert.Equal(31, gpu.GetProperty("temp_c").GetDouble());

        var g = (await client.GetFromJsonAsync<JsonElement>("/api/system/resources")).GetProperty("gpu");
        Assert.Equal(2, g.GetProperty("count").GetInt32());
        var rtx = g.GetProperty("devices")[1];
        Assert.Equal(1, rtx.GetProperty("id").GetInt32());
        Assert.Equal("NVIDIA GeForce RTX 4090", rtx.GetProperty("name").GetString());
        Assert.Equal(24.0, rtx.GetProperty("memory_total_gb").GetDouble());
        Assert.Equal(17.6, rtx.GetProperty("memory_used_gb").GetDouble());
        Assert.Equal(6.4, rtx.GetProperty("memory_free_gb").GetDouble());
        Assert.Equal(97, rtx.GetProperty("utilization_percent").GetDouble());
        Assert.Equal(71, rtx.GetProperty("temperature_c").GetDouble());
        Assert.Equal(JsonValueKind.Null, g.GetProperty("devices")[0].GetProperty("utilization_percent").ValueKind);

        var b = await client.GetFromJsonAsync<JsonElement>("/api/system/status");
        Assert.Equal(JsonValueKind.Null, b.GetProperty("resources").GetProperty("gpu_percent").ValueKind); // the first GPU's
    }

    [Fact]
    public async Task ComfyUIs_log_file_is_in_the_comfyui_logs_redacted_and_followed_as_it_grows()
    {
        using var dir = new TempDir();
        var log = Path.Combine(dir, "comfyui.log");
        File.WriteAllText(log, "Starting server\nTo see the GUI go to: http://0.0.0.0:8188\nWARNING: token hf_abcdefghijklmnopqrstuvwxyz0123 in argv\n");
        using var factory = new ConfiguredFactory(new Dictionary<string, string?>
        {
            ["COMFYUI_LOG"] = log, ["HF_TOKEN"] = "hf_abcdefghijklmnopqrstuvwxyz0123", // a known secret is masked in ComfyUI's lines too
        });
        var client = factory.CreateKeyClient();

        var lines = (await client.GetFromJsonAsync<JsonElement>("/api/system/logs?service=comfyui&lines=50")).GetProperty("logs").EnumerateArray().ToList();
        Assert.Contains(lines, l => l.GetProperty("message").GetString() == "Starting server" && l.GetProperty("service").GetString() == "comfyui");
        var warning = lines.Single(l => l.GetProperty("message").GetString()!.StartsWith("WARNING", StringComparison.Ordinal));
        Assert.Equal("WARNING", warning.GetProperty("level").GetString());
        Assert.DoesNotContain("hf_abcdefghijklmnopqrstuvwxyz0123", warning.GetProperty("message").GetString());

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/system/logs?service=comfyui&lines=1&follow=true"),
            HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        Assert.StartsWith("data: {", await reader.ReadLineAsync(cts.Token));
        File.AppendAllText(log, "Prompt executed in 4.21 seconds\n");
        string? line;
        while ((line = await reader.ReadLineAsync(cts.Token)) is not null && !line.Contains("Prompt executed in 4.21 seconds")) { }
        Assert.NotNull(line);
        Assert.Contains("\"service\":\"comfyui\"", line);
    }

    [Fact]
    public async Task Without_the_Chrome_extension_its_download_is_a_404_in_the_error_body()
    {
        using var factory = new ConfiguredFactory(new Dictionary<string, string?> { ["ChromeExtension:ShippedDir"] = "/nonexistent/chrome-extension/src" });
        await ErrorAssert.IsErrorBody(await factory.CreateKeyClient().GetAsync("/api/admin/system/chrome-extension"), HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task ComfyUIs_queue_comes_in_spec_B_shape_pending_in_order_and_503_when_ComfyUI_is_gone()
    {
        await using var comfy = await FakeComfyUi.StartAsync();
        comfy.Running.Add((7, "run-7"));
        comfy.Pending.AddRange([(10, "p-10"), (8, "p-8"), (9, "p-9")]); // ComfyUI's heap array, unsorted
        using var factory = new ConfiguredFactory(new Dictionary<string, string?> { ["COMFYUI_URL"] = comfy.Url });
        var q = await factory.CreateKeyClient().GetFromJsonAsync<JsonElement>("/api/comfyui/queue");
        var running = q.GetProperty("queue_running").EnumerateArray().ToList();
        Assert.Equal("run-7", Assert.Single(running).GetProperty("prompt_id").GetString());
        Assert.Equal(7, running[0].GetProperty("number").GetInt64());
        Assert.Equal(["p-8", "p-9", "p-10"], q.GetProperty("queue_pending").EnumerateArray().Select(p => p.GetProperty("prompt_id").GetString()!).ToArray());

        using var gone = new ConfiguredFactory(new Dictionary<string, string?> { ["COMFYUI_URL"] = "http://127.0.0.1:9" });
        await ErrorAssert.IsErrorBody(await gone.CreateKeyClient().GetAsync("/api/comfyui/queue"), HttpStatusCode.ServiceUnavailable, "COMFYUI_UNAVAILABLE");
    }
}
