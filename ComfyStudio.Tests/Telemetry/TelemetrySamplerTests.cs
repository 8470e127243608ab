using System.Collections.Concurrent;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static ComfyStudio.Tests.Telemetry.TelemetryTestKit;

namespace ComfyStudio.Tests.Telemetry;

public sealed class TelemetrySamplerTests : IDisposable
{
    private readonly TempDir _root = new();

    public TelemetrySamplerTests()
    {
        Write(_root, "proc/meminfo", Captured.MemInfo);
        Write(_root, "proc/loadavg", Captured.LoadAvg);
    }

    public void Dispose() => _root.Dispose();

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Samples_build_a_history_oldest_first_and_each_is_published()
    {
        var options = Offline(_root);
        options.SampleInterval = TimeSpan.FromMilliseconds(50);
        using var reader = Reader(options);
        var bus = new EventBus(NullLogger<EventBus>.Instance);
        var published = new ConcurrentQueue<TelemetrySampled>();
        using var subscription = bus.Subscribe<TelemetrySampled>(e => { published.Enqueue(e); return Task.CompletedTask; });
        using var sampler = new TelemetrySampler(reader, bus, Options.Create(options), TimeProvider.System, NullLogger<TelemetrySampler>.Instance);
        Assert.Null(sampler.Latest);
        Assert.Empty(sampler.History);

        await sampler.StartAsync(CancellationToken.None);
        await Until(() => sampler.History.Count >= 4 && published.Count >= 4, "four samples");
        await sampler.StopAsync(CancellationToken.None);

        var history = sampler.History;
        Assert.Equal(history.OrderBy(s => s.TakenAt), history);
        Assert.Same(history[^1], sampler.Latest);
        Assert.All(history, s =>
        {
            Assert.Null(s.Gpus);
            Assert.Equal(DateTimeKind.Utc, s.TakenAt.Kind);
            Assert.Equal(Captured.MemTotalBytes, s.Memory.TotalBytes);
        });
        Assert.Equal(history.Take(published.Count).Select(s => s.TakenAt), published.Take(history.Count).Select(e => e.Snapshot.TakenAt));

        var evt = published.First();
        Assert.Equal("system.telemetry", evt.Type);
        Assert.False(evt.Persist);
        Assert.StartsWith("CPU ", evt.Message);
        Assert.Equal(Captured.MemTotalBytes, evt.Data!["ram_total"]!.GetValue<long>());
        Assert.Null(evt.Data["gpus"]);
    }

    [Fact]
    public async Task The_history_keeps_only_its_length()
    {
        var options = Offline(_root);
        options.SampleInterval = TimeSpan.FromMilliseconds(20);
        options.HistoryLength = TimeSpan.FromMilliseconds(100);
        using var reader = Reader(options);
        using var sampler = new TelemetrySampler(reader, new EventBus(NullLogger<EventBus>.Instance), Options.Create(options),
            TimeProvider.System, NullLogger<TelemetrySampler>.Instance);
        Assert.Equal(6, sampler.Capacity);
        await sampler.StartAsync(CancellationToken.None);
        var seen = 0;
        await Until(() => (seen += sampler.Latest is null ? 0 : 1) > 20, "twenty looks at the samples");
        await sampler.StopAsync(CancellationToken.None);
        var history = sampler.History;
        Assert.InRange(history.Count, 1, sampler.Capacity);
        Assert.True(history[^1].TakenAt - history[0].TakenAt <= options.HistoryLength);
    }

    [Fact]
    public void The_event_describes_gpus_when_there_are_some()
    {
        var snapshot = new TelemetrySnapshot(new DateTime(2026, 3, 31, 12, 0, 0, DateTimeKind.Utc),
            NvidiaSmi.Parse(Captured.SmiTwo4090s), new CpuReading(12.4, 16, 3200, 800, 3200),
            new MemoryReading(64L << 30, 16L << 30), new DiskReading("/workspace", 100L << 30, 25L << 30));
        var evt = new TelemetrySampled(snapshot);
        Assert.Equal("CPU 12%, RAM 25%, disk 25%, GPU 0 97%, VRAM 73%, GPU 1 0%, VRAM 0%", evt.Message);
        var gpus = evt.Data!["gpus"]!.AsArray();
        Assert.Equal(2, gpus.Count);
        Assert.Equal("NVIDIA GeForce RTX 4090", gpus[0]!["name"]!.GetValue<string>());
        Assert.Equal(73.4, gpus[0]!["vram_percent"]!.GetValue<double>());
        Assert.Equal("2026-03-31T12:00:00.000Z", evt.Data["taken_at"]!.GetValue<string>());
    }

    [Fact]
    public async Task AddStudioTelemetry_registers_one_sampler_as_singleton_and_hosted_service_with_bound_options()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Telemetry:SampleInterval"] = "00:00:05",
            ["Telemetry:NvidiaSmiPath"] = "/opt/nvidia/bin/nvidia-smi",
            ["Telemetry:HostRoot"] = _root.Path,
        });
        builder.Services.AddLogging();
        builder.Services.AddOptions<StudioOptions>();
        builder.Services.AddSingleton<EventBus>();
        builder.AddStudioTelemetry();
        using var host = builder.Build();

        var sampler = host.Services.GetRequiredService<TelemetrySampler>();
        Assert.Contains(host.Services.GetServices<IHostedService>(), s => ReferenceEquals(s, sampler));
        Assert.Same(host.Services.GetRequiredService<TelemetryReader>(), host.Services.GetRequiredService<TelemetryReader>());
        var options = host.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        Assert.Equal((TimeSpan.FromSeconds(5), "/opt/nvidia/bin/nvidia-smi", TimeSpan.FromSeconds(3), TimeSpan.FromMinutes(10)),
            (options.SampleInterval, options.NvidiaSmiPath, options.NvidiaSmiTimeout, options.HistoryLength));
        var client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(TelemetryReader.RunPodHttpClient);
        Assert.Equal(TimeSpan.FromSeconds(10), client.Timeout);

        var snapshot = await host.Services.GetRequiredService<TelemetryReader>().ReadAsync();
        Assert.Equal(Captured.MemTotalBytes, snapshot.Memory.TotalBytes);
    }
}
