using ComfyStudio.Services.Telemetry;

namespace ComfyStudio.Tests.Telemetry;

public sealed class NvidiaSmiParseTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void One_gpu()
    {
        var gpu = Assert.Single(NvidiaSmi.Parse(Captured.SmiH100));
        Assert.Equal(new GpuReading(0, "NVIDIA H100 80GB HBM3", 81559 * MiB, 1 * MiB, 0, 33), gpu);
        Assert.Equal(81558 * MiB, gpu.MemoryFreeBytes);
        Assert.Equal(100.0 / 81559, gpu.MemoryPercent, 9);
    }

    [Fact]
    public void Several_gpus_keep_their_order_and_names_with_spaces()
    {
        var gpus = NvidiaSmi.Parse(Captured.SmiTwo4090s);
        Assert.Equal([0, 1], gpus.Select(g => g.Index));
        Assert.All(gpus, g => Assert.Equal("NVIDIA GeForce RTX 4090", g.Name));
        Assert.Equal((24564 * MiB, 18022 * MiB, 97.0, 71.0),
            (gpus[0].MemoryTotalBytes, gpus[0].MemoryUsedBytes, gpus[0].UtilizationPercent, gpus[0].TemperatureC));
        Assert.Equal(73.37, gpus[0].MemoryPercent, 2);
        Assert.Equal((0.0, 34.0), (gpus[1].UtilizationPercent, gpus[1].TemperatureC));
    }

    [Fact]
    public void Fields_the_card_cannot_give_become_null_or_zero_and_blank_lines_are_skipped()
    {
        var gpus = NvidiaSmi.Parse(Captured.SmiNotAvailable);
        Assert.Equal(2, gpus.Count);
        Assert.Equal(new GpuReading(0, "NVIDIA A100-SXM4-40GB", 40960 * MiB, 13 * MiB, null, 31), gpus[0]);
        Assert.Equal(new GpuReading(1, "NVIDIA GeForce GT 710", 0, 0, null, null), gpus[1]);
        Assert.Equal(0, gpus[1].MemoryPercent);
        Assert.Equal(0, gpus[1].MemoryFreeBytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n")]
    [InlineData(Captured.SmiNoDriver)]
    [InlineData("No devices were found\n")]
    [InlineData("index, name, memory.total [MiB], memory.used [MiB], utilization.gpu [%], temperature.gpu\n")]
    [InlineData("0, NVIDIA H100 80GB HBM3, 81559\n")]
    [InlineData("x, y, 1, 2, 3, 4\n")]
    public void Garbage_gives_no_gpu(string output) => Assert.Empty(NvidiaSmi.Parse(output));

    [Fact]
    public void Null_gives_no_gpu() => Assert.Empty(NvidiaSmi.Parse(null));

    [Fact]
    public void Only_the_rows_among_noise_are_kept()
    {
        var gpus = NvidiaSmi.Parse("WARNING: infoROM is corrupted at gpu 0000:01:00.0\n" + Captured.SmiH100);
        Assert.Equal("NVIDIA H100 80GB HBM3", Assert.Single(gpus).Name);
    }
}
