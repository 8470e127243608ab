using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComfyStudio.Services.Presets;
using ComfyStudio.Tests.Fakes;
using ComfyStudio.Tests.Infrastructure;
using ComfyStudio.Tests.Telemetry;

namespace ComfyStudio.Tests.Presets;

/// <summary>The catalog API on the shipped snapshot of the real registry: filters, pages, both id styles, recommendations.</summary>
public sealed class PresetCatalogApiTests : IClassFixture<PresetCatalogApiTests.CatalogFactory>
{
    private readonly CatalogFactory _host;

    public PresetCatalogApiTests(CatalogFactory host) => _host = host;

    /// <summary>The real registry, with a captured nvidia-smi answering (two RTX 4090s: 24 GB).</summary>
    public sealed class CatalogFactory : StudioFactory
    {
        private readonly string _smi;

        public CatalogFactory()
        {
            _smi = TelemetryTestKit.Script(DataDir, "nvidia-smi", $"""
                cat <<'CSV'
                {Captured.SmiTwo4090s.TrimEnd()}
                CSV
                """);
        }

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["Telemetry:NvidiaSmiPath"] = _smi,
            ["COMFYUI_URL"] = "http://127.0.0.1:9",
        };
    }

    private static string[] Ids(JsonElement list) => list.GetProperty("presets").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToArray();

    [Fact]
    public async Task The_list_pages_and_filters_by_category_type_installed_and_search()
    {
        var client = _host.CreateKeyClient();
        var first = await client.GetFromJsonAsync<JsonElement>("/api/presets");
        Assert.Equal(56, first.GetProperty("total").GetInt32());
        Assert.Equal(20, first.GetProperty("presets").GetArrayLength());
        Assert.True(first.GetProperty("has_next").GetBoolean());
        Assert.False(first.GetProperty("has_prev").GetBoolean());
        var last = await client.GetFromJsonAsync<JsonElement>("/api/presets?page=6&per_page=10");
        Assert.Equal(6, last.GetProperty("presets").GetArrayLength());
        Assert.False(last.GetProperty("has_next").GetBoolean());
        var item = first.GetProperty("presets")[0];
        foreach (var field in new[] { "id", "name", "category", "type", "description", "download_size", "installed", "install_date", "use_case", "tags", "vram_gb", "compatible", "size_bytes" })
            Assert.True(item.TryGetProperty(field, out _), field);

        Assert.Equal(5, (await client.GetFromJsonAsync<JsonElement>("/api/presets?category=Audio%20Generation")).GetProperty("total").GetInt32());
        Assert.Equal(26, (await client.GetFromJsonAsync<JsonElement>("/api/presets?type=video&per_page=100")).GetProperty("total").GetInt32());
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/api/presets?installed=true")).GetProperty("total").GetInt32());
        Assert.Equal(56, (await client.GetFromJsonAsync<JsonElement>("/api/presets?installed=false")).GetProperty("total").GetInt32());
        var flux = Ids(await client.GetFromJsonAsync<JsonElement>("/api/presets?search=flux%20schnell"));
        Assert.Contains("flux-schnell-basic", flux);
        Assert.DoesNotContain("flux-dev-basic", flux);

        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/presets?installed=maybe"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/presets?per_page=0"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/presets?page=-1"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Theory]
    [InlineData("flux-schnell-basic")]
    [InlineData("FLUX_SCHNELL_BASIC")]
    [InlineData("Flux_Schnell-Basic")]
    public async Task A_preset_is_found_by_either_id_style(string id)
    {
        var client = _host.CreateKeyClient();
        var p = await client.GetFromJsonAsync<JsonElement>($"/api/presets/{id}");
        Assert.Equal("flux-schnell-basic", p.GetProperty("id").GetString());
        Assert.Equal(4, p.GetProperty("files").GetArrayLength());
        Assert.Equal(JsonValueKind.Array, p.GetProperty("dependencies").ValueKind);
        Assert.Equal(JsonValueKind.Array, p.GetProperty("workflows").ValueKind);
        var file = p.GetProperty("files")[0];
        Assert.Equal("diffusion_models/flux1-schnell.safetensors", file.GetProperty("path").GetString());
        Assert.Equal("12GB", file.GetProperty("size").GetString());
        Assert.False(file.GetProperty("installed").GetBoolean());
        var status = await client.GetFromJsonAsync<JsonElement>($"/api/presets/{id}/status");
        Assert.Equal("flux-schnell-basic", status.GetProperty("preset_id").GetString());
        Assert.Equal("not_installed", status.GetProperty("status").GetString());
        Assert.Equal(4, status.GetProperty("files").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Recommendations_sort_presets_by_the_vram_nvidia_smi_reports()
    {
        var r = await _host.CreateKeyClient().GetFromJsonAsync<JsonElement>("/api/presets/recommendations");
        var gpu = r.GetProperty("gpu");
        Assert.Equal("NVIDIA GeForce RTX 4090", gpu.GetProperty("name").GetString());
        Assert.Equal(24564, gpu.GetProperty("vram_mb").GetInt64());
        Assert.Equal(24.0, gpu.GetProperty("vram_gb").GetDouble());
        var compatible = r.GetProperty("compatible").EnumerateArray().ToList();
        var incompatible = r.GetProperty("incompatible").EnumerateArray().ToList();
        var unknown = r.GetProperty("unknown").EnumerateArray().ToList();
        Assert.Equal(56, compatible.Count + incompatible.Count + unknown.Count);
        Assert.Equal(34, unknown.Count); // the registry's vram_gb: 0 means unknown
        Assert.All(compatible, p => Assert.True(p.GetProperty("vram_gb").GetDouble() <= 24 && p.GetProperty("compatible").GetBoolean()));
        Assert.All(incompatible, p => Assert.True(p.GetProperty("vram_gb").GetDouble() > 24 && !p.GetProperty("compatible").GetBoolean()));
        Assert.All(unknown, p => Assert.Equal(JsonValueKind.Null, p.GetProperty("compatible").ValueKind));
        Assert.Contains(compatible, p => p.GetProperty("id").GetString() == "wan-2-1-t2v-14b"); // needs 24
        var fits = await _host.CreateKeyClient().GetFromJsonAsync<JsonElement>("/api/presets?compatible=true&per_page=100");
        Assert.Equal(compatible.Count, fits.GetProperty("total").GetInt32());
    }

    [Fact]
    public void A_gpu_is_read_from_comfyui_system_stats_when_nvidia_smi_is_absent()
    {
        var stats = System.Text.Json.Nodes.JsonNode.Parse("""
            {"system": {"os": "posix"}, "devices": [
              {"name": "cpu", "type": "cpu", "index": null, "vram_total": 0},
              {"name": "cuda:0 NVIDIA H100 80GB HBM3 : cudaMallocAsync", "type": "cuda", "index": 0, "vram_total": 85000000000, "vram_free": 84000000000}]}
            """)!.AsObject();
        var gpu = GpuRecommendations.FromSystemStats(stats)!;
        Assert.Equal("NVIDIA H100 80GB HBM3", gpu.Name);
        Assert.Equal(81062, gpu.VramMb);
        Assert.Equal("comfyui", gpu.Source);
        Assert.Null(GpuRecommendations.FromSystemStats(System.Text.Json.Nodes.JsonNode.Parse("""{"devices": [{"name": "cpu", "type": "cpu", "vram_total": 0}]}""")!.AsObject()));
    }
}

/// <summary>No nvidia-smi and no ComfyUI: nothing is known of a GPU, so every preset is "unknown"; with ComfyUI, its device is used.</summary>
public sealed class PresetRecommendationsWithoutGpuTests : IAsyncLifetime
{
    private FakeComfyUi _comfy = null!;

    public async Task InitializeAsync() => _comfy = await FakeComfyUi.StartAsync();
    public async Task DisposeAsync() => await _comfy.DisposeAsync();

    private sealed class Host(string comfyUrl) : StudioFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["Telemetry:NvidiaSmiPath"] = "/nonexistent/nvidia-smi",
            ["COMFYUI_URL"] = comfyUrl,
        };
    }

    [Fact]
    public async Task Without_a_gpu_every_preset_is_unknown()
    {
        await using var host = new Host("http://127.0.0.1:9");
        var r = await host.CreateKeyClient().GetFromJsonAsync<JsonElement>("/api/presets/recommendations");
        Assert.Equal(JsonValueKind.Null, r.GetProperty("gpu").ValueKind);
        Assert.Equal(0, r.GetProperty("compatible").GetArrayLength());
        Assert.Equal(0, r.GetProperty("incompatible").GetArrayLength());
        Assert.Equal(56, r.GetProperty("unknown").GetArrayLength());
    }

    [Fact]
    public async Task ComfyUi_system_stats_stand_in_for_nvidia_smi()
    {
        await using var host = new Host(_comfy.Url);
        var r = await host.CreateKeyClient().GetFromJsonAsync<JsonElement>("/api/presets/recommendations");
        Assert.Equal("comfyui", r.GetProperty("gpu").GetProperty("source").GetString());
        Assert.Equal(0, r.GetProperty("incompatible").GetArrayLength()); // 79 GB fits every preset that says what it needs
        Assert.Equal(22, r.GetProperty("compatible").GetArrayLength());
    }
}
