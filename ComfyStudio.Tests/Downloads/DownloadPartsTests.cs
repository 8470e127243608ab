using ComfyStudio.Services.Downloads;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Tests.Downloads;

/// <summary>The engine's small parts: byte ranges, the segment plan, the concurrency gate, model hosts, model paths.</summary>
public sealed class DownloadPartsTests
{
    [Fact]
    public void Byte_ranges_merge_report_gaps_and_round_trip()
    {
        var r = new ByteRanges();
        r.Add(100, 200);
        r.Add(0, 50);
        r.Add(50, 100);   // touches both neighbours: one range
        r.Add(300, 400);
        r.Add(350, 380);  // inside
        Assert.Equal("0-200,300-400", r.ToString());
        Assert.Equal(300, r.Covered);
        Assert.Equal(200, r.PrefixEnd);
        Assert.Equal([(200L, 300L), (400L, 500L)], r.Missing(500));
        Assert.Equal("0-200,300-400", ByteRanges.Parse(r.ToString(), 500)!.ToString());
        Assert.Null(ByteRanges.Parse("0-600", 500));  // beyond the file: not trusted
        Assert.Null(ByteRanges.Parse("5-2", 500));
        Assert.Null(ByteRanges.Parse("x", 500));
        Assert.Equal("", ByteRanges.Parse("", 500)!.ToString());
    }

    [Fact]
    public void The_plan_hands_out_chunks_in_order_then_splits_the_largest_running_segment()
    {
        var plan = new SegmentPlan([(0, 1000)], chunk: 400, minSplit: 100);
        var a = plan.Take()!;
        var b = plan.Take()!;
        var c = plan.Take()!;
        Assert.Equal((0L, 400L), (a.Position, a.End));
        Assert.Equal((800L, 1000L), (c.Position, c.End));
        Assert.Equal(0, plan.PendingChunks);
        // No chunks left: an idle connection takes the second half of the largest segment still running.
        var stolen = plan.Take()!;
        Assert.Equal((200L, 400L), (stolen.Position, stolen.End));
        Assert.Equal(200, a.End);
        var (offset, count) = plan.Reserve(a, 500);
        Assert.Equal((0L, 200), (offset, count)); // never past its new end
        Assert.True(plan.Done(a));
        Assert.Equal(0, plan.Reserve(a, 10).Count);
        _ = b;
    }

    [Fact]
    public void Segments_too_small_to_split_are_left_alone()
    {
        var plan = new SegmentPlan([(0, 150)], chunk: 400, minSplit: 100);
        Assert.NotNull(plan.Take());
        Assert.Null(plan.Take());
    }

    [Fact]
    public async Task The_gate_admits_up_to_its_limit_and_follows_a_new_limit_at_once()
    {
        var gate = new ConcurrencyGate(1);
        var first = await gate.EnterAsync(CancellationToken.None);
        var second = gate.EnterAsync(CancellationToken.None);
        using var cancelled = new CancellationTokenSource();
        var third = gate.EnterAsync(cancelled.Token);
        Assert.False(second.IsCompleted);
        gate.SetLimit(2);                       // the first waiter is let in at once
        var secondSlot = await second;
        Assert.False(third.IsCompleted);
        await cancelled.CancelAsync();          // a waiter that gives up takes no slot
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => third);
        Assert.Equal(2, gate.Inside);
        secondSlot.Dispose();
        first.Dispose();
        Assert.Equal(0, gate.Inside);
        var again = await gate.EnterAsync(CancellationToken.None);
        Assert.Equal(1, gate.Inside);
        again.Dispose();
    }

    [Fact]
    public async Task The_gate_lets_higher_priorities_in_first_and_keeps_arrival_order_within_one()
    {
        var gate = new ConcurrencyGate(1);
        var holder = await gate.EnterAsync(CancellationToken.None);
        var order = new List<string>();
        async Task Wait(string name, int priority)
        {
            using var slot = await gate.EnterAsync(CancellationToken.None, priority);
            lock (order) order.Add(name);
        }
        var waits = new[] { Wait("normal-1", 0), Wait("low", -1), Wait("normal-2", 0), Wait("high", 1) };
        holder.Dispose();
        await Task.WhenAll(waits);
        Assert.Equal(["high", "normal-1", "normal-2", "low"], order);
    }

    [Fact]
    public void Hugging_face_pages_become_file_urls_and_tokens_stay_with_their_hosts()
    {
        var hosts = new ModelHosts(Options.Create(new DownloadOptions()));
        Assert.Equal("https://huggingface.co/org/repo/resolve/main/dir/model.safetensors",
            hosts.Normalize(new Uri("https://huggingface.co/org/repo/blob/main/dir/model.safetensors")).ToString());
        Assert.Equal("https://example.com/a/blob/main/x", hosts.Normalize(new Uri("https://example.com/a/blob/main/x")).ToString());
        Assert.Equal("https://civitai.com/api/download/models/1?type=Model&token=k%2B1",
            hosts.ForRequest(new Uri("https://civitai.com/api/download/models/1?type=Model"), "k+1").ToString());
        Assert.Equal("https://cdn.example.com/file", hosts.ForRequest(new Uri("https://cdn.example.com/file"), "k").ToString());
        Assert.True(hosts.IsHuggingFace(new Uri("https://hf.co/x")));
        Assert.False(hosts.IsHuggingFace(new Uri("https://cdn-lfs.huggingface.co.evil.com/x")));
        Assert.Contains("HF_TOKEN", hosts.AccessHint(new Uri("https://huggingface.co/x"), tokenSent: false));
        Assert.Contains("CIVITAI_API_KEY", hosts.AccessHint(new Uri("https://civitai.com/x"), tokenSent: true));
    }

    [Theory]
    [InlineData("checkpoints/a.safetensors", "checkpoints/a.safetensors")]
    [InlineData("checkpoints//sub/./a.bin", null)]
    [InlineData("diffusion_models/WanVideo/2_2/x.gguf", "diffusion_models/WanVideo/2_2/x.gguf")]
    [InlineData("a/../b", null)]
    [InlineData("/abs", null)]
    [InlineData("x.part", null)]
    public void Model_paths_stay_relative_and_inside(string path, string? expected) =>
        Assert.Equal(expected, ModelPaths.Normalize(path, Path.Combine(Path.GetTempPath(), "models-" + Guid.NewGuid().ToString("N"))));
}
