using Bunit;
using ComfyStudio.Services.Downloads;
using ComfyStudio.Web.Components.Downloads;

namespace ComfyStudio.Tests.Downloads;

/// <summary>A download's card says, per file, whether a hash or only the size proved it right.</summary>
public sealed class DownloadCardTests : IAsyncDisposable
{
    private readonly BunitContext _ctx = MudTestContext.Create();

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();

    private static DownloadView Completed(params DownloadFileView[] files) => new("dl_1", null, "Two files", "completed", 100, 0, null, null,
        200, 200, files.Length, files.Length, null, DateTime.UtcNow, DateTime.UtcNow, DateTime.UtcNow, files);

    [Fact]
    public void Each_completed_file_shows_what_verified_it()
    {
        var sha = new string('a', 64);
        var card = _ctx.Render<DownloadCard>(p => p.Add(x => x.Download, Completed(
            new DownloadFileView("vae/hashed.safetensors", "https://host/a", "completed", 100, 100, 100, null, null, sha, Verification.Sha256),
            new DownloadFileView("vae/bare.safetensors", "https://host/b?token=***", "completed", 100, 100, 100, null, null, sha, Verification.Size))));
        card.Find("[data-testid=toggle-files]").Click();
        var cells = card.FindAll("[data-testid=download-file-verified]").Select(c => c.TextContent).ToList();
        Assert.Equal(2, cells.Count);
        Assert.Contains("SHA-256 verified", cells[0]);
        Assert.Contains("size only", cells[1]);
        Assert.DoesNotContain("SHA-256 verified", cells[1]);
    }

    [Fact]
    public void A_stalled_download_says_it_is_retrying_and_shows_no_time_left()
    {
        var view = new DownloadView("dl_2", null, "Stalled", "downloading", 40, 0, null, "vae/a.safetensors", 400, 1000, 1, 0, null,
            DateTime.UtcNow, DateTime.UtcNow, null, [], new RetryState(3, 8, "127.0.0.1 sent nothing for 30 s (stalled)"));
        var card = _ctx.Render<DownloadCard>(p => p.Add(x => x.Download, view));
        Assert.Contains("retrying (attempt 3 of 8)", card.Find("[data-testid=download-retrying]").TextContent);
        Assert.DoesNotContain("left", card.Find("[data-testid=download-figures]").TextContent);
    }
}

/// <summary>Cards write sizes and speeds with the one formatter: decimal units, MB/s.</summary>
public sealed class DownloadCardFiguresTests : IAsyncDisposable
{
    private readonly BunitContext _ctx = MudTestContext.Create();

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();

    [Fact]
    public void A_500_MB_file_reads_500_MB_and_its_speed_reads_MB_per_second()
    {
        var view = new DownloadView("dl_3", null, "Half a gig", "downloading", 40, 12_500_000, 24, "vae/a.safetensors", 200_000_000, 500_000_000,
            1, 0, null, DateTime.UtcNow, DateTime.UtcNow, null, []);
        var figures = _ctx.Render<DownloadCard>(p => p.Add(x => x.Download, view)).Find("[data-testid=download-figures]").TextContent;
        Assert.Contains("200 MB of 500 MB", figures);
        Assert.Contains("12.5 MB/s", figures);
        Assert.DoesNotContain("476.8", figures);
    }
}
