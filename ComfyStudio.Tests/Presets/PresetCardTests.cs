using Bunit;
using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Presets;
using ComfyStudio.Web.Components.Presets;

namespace ComfyStudio.Tests.Presets;

/// <summary>A preset card: its state, its fit with the GPU, live progress, the token call, the buttons it offers.</summary>
public sealed class PresetCardTests : IAsyncDisposable
{
    private readonly BunitContext _ctx = MudTestContext.Create();

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();

    private static PresetDefinition Preset(double? vram) => new("tiny", "1.0.0", "Tiny", "Image Generation", "image", "A tiny preset", "1GB",
        1L << 30, vram, 1, ["test"], null, null, null,
        [new PresetFile("vae/a.safetensors", "https://huggingface.co/x/y/resolve/main/a.safetensors", "1GB", 1L << 30, false, false, "huggingface", "x/y", null, null)],
        [], []);

    private static PresetStatus Status(double? vram, string state, long? onDisk = null, string? errorCode = null, DownloadView? download = null) =>
        new(Preset(vram), [new PresetFileStatus(Preset(vram).Files[0], "vae/a.safetensors", state, onDisk, onDisk ?? 0, errorCode is null ? null : "refused", errorCode)],
            null, null, download, Recorded: state == FileStates.Installed);

    private static DownloadView Running(double progress) => new("dl_1", "tiny", "Tiny", "downloading", progress, 5_000_000, 120, "vae/a.safetensors",
        (long)(progress / 100 * (1L << 30)), 1L << 30, 1, 0, null, DateTime.UtcNow, DateTime.UtcNow, null, []);

    [Fact]
    public void A_preset_that_fits_and_is_not_installed_offers_install_only()
    {
        var card = _ctx.Render<PresetCard>(p => p.Add(x => x.Status, Status(12, FileStates.Missing)).Add(x => x.Gpu, new GpuInfo("RTX 4090", 24564, "nvidia-smi")));
        Assert.Equal("not_installed", card.Find("[data-testid=preset]").GetAttribute("data-status"));
        Assert.Equal("Fits this GPU", card.Find("[data-testid=preset-fit]").TextContent.Trim());
        Assert.Single(card.FindAll("[data-testid=install]"));
        Assert.Empty(card.FindAll("[data-testid=uninstall]"));
    }

    [Fact]
    public void A_preset_too_big_for_the_gpu_says_what_it_needs_and_an_unknown_need_says_so()
    {
        var big = _ctx.Render<PresetCard>(p => p.Add(x => x.Status, Status(32, FileStates.Missing)).Add(x => x.Gpu, new GpuInfo("RTX 4090", 24564, "nvidia-smi")));
        Assert.Equal("Needs 32 GB, GPU has 24", big.Find("[data-testid=preset-fit]").TextContent.Trim());
        var unknown = _ctx.Render<PresetCard>(p => p.Add(x => x.Status, Status(null, FileStates.Missing)).Add(x => x.Gpu, new GpuInfo("RTX 4090", 24564, "nvidia-smi")));
        Assert.Equal("Fit unknown", unknown.Find("[data-testid=preset-fit]").TextContent.Trim());
    }

    [Fact]
    public void An_installed_preset_offers_uninstall_and_no_install()
    {
        var card = _ctx.Render<PresetCard>(p => p.Add(x => x.Status, Status(12, FileStates.Installed, onDisk: 1L << 30)));
        Assert.Equal("installed", card.Find("[data-testid=preset]").GetAttribute("data-status"));
        Assert.Empty(card.FindAll("[data-testid=install]"));
        Assert.Single(card.FindAll("[data-testid=uninstall]"));
    }

    [Fact]
    public void An_install_under_way_shows_live_progress_and_no_buttons_that_would_fight_it()
    {
        var card = _ctx.Render<PresetCard>(p => p.Add(x => x.Status, Status(12, FileStates.Downloading)).Add(x => x.Live, Running(42.5)));
        Assert.Equal("installing", card.Find("[data-testid=preset]").GetAttribute("data-status"));
        Assert.Equal("42.5", card.Find("[data-testid=preset-progress]").GetAttribute("data-progress"));
        Assert.Empty(card.FindAll("[data-testid=install]"));
        Assert.Empty(card.FindAll("[data-testid=uninstall]"));
    }

    [Fact]
    public void A_refused_file_calls_for_hf_token_in_settings()
    {
        var card = _ctx.Render<PresetCard>(p => p.Add(x => x.Status, Status(12, FileStates.Failed, errorCode: ErrorCodes.AccessDenied)));
        var alert = card.Find("[data-testid=preset-needs-token]");
        Assert.Contains("HF_TOKEN", alert.TextContent);
        Assert.Equal("/settings", alert.QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public void A_preset_whose_files_are_present_but_never_installed_says_so_and_offers_install()
    {
        var status = Status(12, FileStates.Installed, onDisk: 1L << 30) with { Recorded = false };
        var card = _ctx.Render<PresetCard>(p => p.Add(x => x.Status, status).Add(x => x.Gpu, new GpuInfo("RTX 4090", 24564, "nvidia-smi")));
        Assert.Equal("files_present", card.Find("[data-testid=preset]").GetAttribute("data-status"));
        Assert.Contains("Files present", card.Markup);
        Assert.Contains("Install (files present)", card.Find("[data-testid=install]").TextContent);
    }
}
