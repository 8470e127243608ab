using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.Status;

/// <summary>A host whose /proc is a test's: a load average far above the cores, and a machine three-quarters busy.</summary>
public sealed class BusyHostFactory : StudioFactory
{
    public string HostRoot { get; } = TestPaths.NewTempDir("busy-host");

    public BusyHostFactory()
    {
        Directory.CreateDirectory(Path.Combine(HostRoot, "proc"));
        File.WriteAllText(Path.Combine(HostRoot, "proc", "loadavg"), "512.00 256.00 128.00 3/900 12345\n");
        File.WriteAllText(Path.Combine(HostRoot, "proc", "stat"), "cpu  600 0 150 250 0 0 0 0 0 0\n");
    }

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Telemetry:HostRoot"] = HostRoot,
        ["Telemetry:NvidiaSmiPath"] = "/nonexistent/nvidia-smi",
    };

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        TestPaths.TryDelete(HostRoot);
    }
}

/// <summary>The figures a user decides from: free space as df shows it, CPU utilisation within 0–100.</summary>
public sealed class TrueFiguresTests(BusyHostFactory factory) : IClassFixture<BusyHostFactory>
{
    private const double Gb = 1e9; // the API writes decimal GB

    /// <summary><c>df -B1 --output=avail</c> of the data folder: what the app can write there.</summary>
    private static long DfAvailable(string folder)
    {
        using var df = Process.Start(new ProcessStartInfo("df", ["-B1", "--output=avail", folder]) { RedirectStandardOutput = true })!;
        var text = df.StandardOutput.ReadToEnd();
        df.WaitForExit();
        return long.Parse(text.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Every_free_space_figure_is_what_df_calls_available()
    {
        var client = factory.CreateKeyClient();
        var systemApi = await client.GetFromJsonAsync<JsonElement>("/api/admin/system/status");
        var storage = await client.GetFromJsonAsync<JsonElement>("/api/system/storage");
        var resources = await client.GetFromJsonAsync<JsonElement>("/api/system/resources");
        var df = DfAvailable(factory.DataDir);
        const long slack = 200_000_000; // other tests write meanwhile
        Assert.InRange(systemApi.GetProperty("disk").GetProperty("free_bytes").GetInt64(), df - slack, df + slack);
        Assert.InRange(storage.GetProperty("workspace").GetProperty("available_gb").GetDouble(), (df - slack) / Gb - 0.1, (df + slack) / Gb + 0.1);
        Assert.InRange(resources.GetProperty("disk").GetProperty("free_gb").GetDouble(), (df - slack) / Gb - 0.1, (df + slack) / Gb + 0.1);
        // And the download engine's check reads the same figure.
        var engine = factory.Services.GetRequiredService<ComfyStudio.Services.Downloads.IFreeSpace>().AvailableBytes(factory.DataDir);
        Assert.InRange(engine, df - slack, df + slack);
    }

    [Fact]
    public async Task Spec_b_cpu_figures_are_utilisation_and_spec_a_keeps_the_load()
    {
        var client = factory.CreateKeyClient();
        var status = await client.GetFromJsonAsync<JsonElement>("/api/system/status");
        var resources = await client.GetFromJsonAsync<JsonElement>("/api/system/resources");
        var systemApi = await client.GetFromJsonAsync<JsonElement>("/api/admin/telemetry");
        Assert.Equal(75, status.GetProperty("resources").GetProperty("cpu_percent").GetDouble());
        Assert.Equal(75, resources.GetProperty("cpu").GetProperty("percent").GetDouble());
        Assert.True(systemApi.GetProperty("cpu_percent").GetDouble() > 100, systemApi.ToString());
    }
}
