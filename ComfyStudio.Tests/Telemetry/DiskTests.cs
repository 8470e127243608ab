using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Telemetry;
using ComfyStudio.Tests.Infrastructure;
using static ComfyStudio.Tests.Telemetry.TelemetryTestKit;

namespace ComfyStudio.Tests.Telemetry;

public sealed class DiskTests : IDisposable
{
    private const long GiB = 1024L * 1024 * 1024;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private StudioOptions RunPod() => new()
    {
        Hosting = "runpod", RunPodApiKey = "rp_test_key", RunPodPodId = "abc123xyz", StudioDir = Path.Combine(_dir, "studio"),
    };

    private TelemetryOptions Options(string? du = null) => new()
    {
        HostRoot = _dir, NvidiaSmiPath = Path.Combine(_dir, "none"), WorkspacePath = Path.Combine(_dir, "workspace"),
        DuPath = du ?? "du", RunPodGraphQlUrl = "https://runpod.test/graphql",
    };

    private void FillWorkspace(int bytes)
    {
        Directory.CreateDirectory(Path.Combine(_dir, "workspace", "models"));
        File.WriteAllBytes(Path.Combine(_dir, "workspace", "models", "model.safetensors"), new byte[bytes]);
    }

    [Fact]
    public void The_GraphQL_answer_gives_the_volume_size_in_GB()
    {
        Assert.Equal(150, RunPodVolume.ParseSizeGb(Captured.RunPodVolume));
        Assert.Equal(150, RunPodVolume.ParseSizeGb("""{"data":{"pod":{"networkVolume":{"size":150.0}}}}"""));
        Assert.Null(RunPodVolume.ParseSizeGb(Captured.RunPodNoVolume));
        Assert.Null(RunPodVolume.ParseSizeGb(Captured.RunPodError));
        Assert.Null(RunPodVolume.ParseSizeGb("""{"data":{"pod":{"networkVolume":{"size":0}}}}"""));
        Assert.Null(RunPodVolume.ParseSizeGb("""{"data":[1,2]}"""));
        Assert.Null(RunPodVolume.ParseSizeGb("<html><body>502 Bad Gateway</body></html>"));
        Assert.Null(RunPodVolume.ParseSizeGb(""));
    }

    [Fact]
    public void The_GraphQL_question_names_the_pod_inside_a_string_literal()
    {
        var query = JsonNode.Parse(RunPodVolume.RequestBody("abc123xyz"))!["query"]!.GetValue<string>();
        Assert.Equal("""query { pod(input: {podId: "abc123xyz"}) { networkVolume { size } } }""", query);
        var odd = JsonNode.Parse(RunPodVolume.RequestBody("a\"b\\c"))!["query"]!.GetValue<string>();
        Assert.Contains("""podId: "a\"b\\c"}""", odd);
    }

    [Fact]
    public void Du_output_gives_the_first_field()
    {
        Assert.Equal(53687091200, RunPodVolume.ParseDuBytes(Captured.DuOutput));
        Assert.Equal(4096, RunPodVolume.ParseDuBytes("4096\t/workspace"));
        Assert.Null(RunPodVolume.ParseDuBytes(""));
        Assert.Null(RunPodVolume.ParseDuBytes("du: cannot access '/workspace': No such file or directory\n"));
        Assert.Null(RunPodVolume.ParseDuBytes(null));
    }

    [Fact]
    public async Task Elsewhere_the_file_system_of_the_studio_folder_answers()
    {
        var studio = new StudioOptions { StudioDir = Path.Combine(_dir, "not", "yet", "created") };
        using var reader = Reader(Options(), studio);
        var disk = await reader.ReadDiskAsync();
        var drive = new DriveInfo(_dir);
        Assert.Equal(studio.StudioDir, disk.Path);
        Assert.Equal(drive.TotalSize, disk.TotalBytes);
        Assert.InRange(disk.UsedBytes, 1, disk.TotalBytes);
        // Free is what the app can write (f_bavail), not size less use (which counts root's reserved blocks).
        Assert.InRange(disk.FreeBytes, drive.AvailableFreeSpace - 64 * 1024 * 1024, drive.AvailableFreeSpace + 64 * 1024 * 1024);
        Assert.True(disk.FreeBytes <= disk.TotalBytes - disk.UsedBytes);
        Assert.InRange(disk.Percent, 0, 100);

        // Cross-checked with df where GNU df is at hand: DriveInfo of a plain folder measures the mount that holds it.
        if (DfBytes(_dir) is { } df)
        {
            Assert.Equal(df.Size, disk.TotalBytes);
            Assert.InRange(disk.UsedBytes, df.Used - 64 * 1024 * 1024, df.Used + 64 * 1024 * 1024);
            Assert.InRange(disk.FreeBytes, df.Avail - 64 * 1024 * 1024, df.Avail + 64 * 1024 * 1024);
        }
    }

    private static (long Size, long Used, long Avail)? DfBytes(string path)
    {
        try
        {
            var info = new ProcessStartInfo("df") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "-B1", "--output=size,used,avail", path }) info.ArgumentList.Add(a);
            using var df = Process.Start(info)!;
            var lines = df.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            df.WaitForExit();
            if (df.ExitCode != 0 || lines.Length < 2) return null;
            var fields = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return (long.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[1], CultureInfo.InvariantCulture), long.Parse(fields[2], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    [Fact]
    public async Task On_RunPod_the_volume_size_comes_from_the_API_once_and_the_use_from_du()
    {
        FillWorkspace(1024 * 1024);
        var api = new FakeRunPod(HttpStatusCode.OK, Captured.RunPodVolume);
        using var reader = Reader(Options(), RunPod(), api);

        var disk = await reader.ReadDiskAsync();
        Assert.Equal(Path.Combine(_dir, "workspace"), disk.Path);
        Assert.Equal(150 * GiB, disk.TotalBytes);
        Assert.InRange(disk.UsedBytes, 1024 * 1024, 1024 * 1024 + 64 * 1024);

        var (request, body) = Assert.Single(api.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://runpod.test/graphql", request.RequestUri!.ToString());
        Assert.Equal("Bearer rp_test_key", request.Headers.Authorization!.ToString());
        Assert.Contains("abc123xyz", body);

        // Within the cache time neither RunPod nor du is asked again: a new file does not show.
        File.WriteAllBytes(Path.Combine(_dir, "workspace", "more.bin"), new byte[512 * 1024]);
        Assert.Equal(disk, await reader.ReadDiskAsync());
        Assert.Single(api.Requests);
    }

    [Fact]
    public async Task A_stale_du_figure_is_served_while_a_new_du_runs_in_the_background()
    {
        FillWorkspace(100_000);
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var reader = Reader(Options(), RunPod(), new FakeRunPod(HttpStatusCode.OK, Captured.RunPodVolume), clock);
        var first = (await reader.ReadDiskAsync()).UsedBytes;

        File.WriteAllBytes(Path.Combine(_dir, "workspace", "more.bin"), new byte[2_000_000]);
        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(first, (await reader.ReadDiskAsync()).UsedBytes); // stale, and a du starts
        var deadline = DateTime.UtcNow.AddSeconds(10);
        long now;
        while ((now = (await reader.ReadDiskAsync()).UsedBytes) == first && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.InRange(now, first + 2_000_000, first + 2_100_000);
    }

    [Fact]
    public async Task When_RunPod_gives_no_size_the_file_system_answers_and_RunPod_is_not_asked_on_every_call()
    {
        FillWorkspace(1000);
        var api = new FakeRunPod(HttpStatusCode.OK, Captured.RunPodNoVolume);
        var studio = RunPod();
        using var reader = Reader(Options(), studio, api);
        var disk = await reader.ReadDiskAsync();
        Assert.Equal(studio.StudioDir, disk.Path);
        Assert.Equal(new DriveInfo(_dir).TotalSize, disk.TotalBytes);
        await reader.ReadDiskAsync();
        Assert.Single(api.Requests);
    }

    [Fact]
    public async Task An_API_error_or_a_missing_key_leaves_the_file_system_to_answer()
    {
        var studio = RunPod();
        using (var reader = Reader(Options(), studio, new FakeRunPod(HttpStatusCode.Unauthorized, """{"error":"unauthorized"}""")))
            Assert.Equal(studio.StudioDir, (await reader.ReadDiskAsync()).Path);

        var api = new FakeRunPod(HttpStatusCode.OK, Captured.RunPodVolume);
        using (var reader = Reader(Options(), new StudioOptions { Hosting = "runpod", RunPodPodId = "p", StudioDir = studio.StudioDir }, api))
            Assert.Equal(studio.StudioDir, (await reader.ReadDiskAsync()).Path);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task Without_du_the_file_system_answers()
    {
        FillWorkspace(1000);
        var studio = RunPod();
        using var reader = Reader(Options(du: Path.Combine(_dir, "no-du")), studio, new FakeRunPod(HttpStatusCode.OK, Captured.RunPodVolume));
        var disk = await reader.ReadDiskAsync();
        Assert.Equal(studio.StudioDir, disk.Path);
        Assert.True(disk.TotalBytes > 0);
    }

    [Fact]
    public async Task A_slow_first_du_is_waited_for_only_so_long()
    {
        var du = Script(_dir, "slow-du", "sleep 3\necho \"777\t$2\"");
        var options = Options(du);
        options.DuFirstWait = TimeSpan.FromMilliseconds(300);
        var studio = RunPod();
        using var reader = Reader(options, studio, new FakeRunPod(HttpStatusCode.OK, Captured.RunPodVolume));
        var watch = Stopwatch.StartNew();
        Assert.Equal(studio.StudioDir, (await reader.ReadDiskAsync()).Path);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");

        // The du goes on in the background and its figure serves the next callers.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        DiskReading disk;
        while ((disk = await reader.ReadDiskAsync()).UsedBytes != 777 && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal((Path.Combine(_dir, "workspace"), 150 * GiB, 777L), (disk.Path, disk.TotalBytes, disk.UsedBytes));
    }
}
