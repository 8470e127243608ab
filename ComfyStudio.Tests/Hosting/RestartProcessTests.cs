using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.Hosting;

/// <summary>The built app as a real process: a restart brings it back on the same port, as a new process.</summary>
public sealed class RestartProcessTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDir("restart");
    private readonly List<int> _pids = [];

    [Fact]
    public async Task Restart_comes_back_on_the_same_port_in_a_new_process()
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(WebDll());
        start.Environment["STUDIO_DIR"] = Path.Combine(_dir, "studio");
        start.Environment["COMFYUI_DIR"] = Path.Combine(_dir, "ComfyUI");
        start.Environment["STUDIO_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["API_KEY"] = StudioFactory.PrimaryKey;
        start.Environment["COMFYUI_URL"] = "http://127.0.0.1:9";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Telemetry__NvidiaSmiPath"] = "/nonexistent/nvidia-smi";
        start.Environment.Remove("RESTART_MODE");
        using var first = System.Diagnostics.Process.Start(start)!;
        _pids.Add(first.Id);
        var output = new System.Text.StringBuilder();
        first.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        first.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        first.BeginOutputReadLine();
        first.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        http.DefaultRequestHeaders.Add("X-API-Key", StudioFactory.PrimaryKey);
        var before = await UptimeAsync(http, TimeSpan.FromSeconds(90), output);
        Assert.Equal(first.Id, before.GetProperty("pid").GetInt32());

        var restart = await http.PostAsync("/api/admin/system/restart", null);
        Assert.Equal(HttpStatusCode.OK, restart.StatusCode);
        Assert.Equal("Restarting...", (await restart.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());

        Assert.True(first.WaitForExit(TimeSpan.FromSeconds(60)), "the first process exits");
        // No parameterless WaitForExit: the new process inherits the first one's output pipes, so they never reach their end while it runs.
        lock (output) Assert.True(first.ExitCode == 0, $"exit code {first.ExitCode}; output:\n{output}");
        var after = await UptimeAsync(http, TimeSpan.FromSeconds(90), output);
        var pid = after.GetProperty("pid").GetInt32();
        _pids.Add(pid);
        Assert.NotEqual(first.Id, pid);
        Assert.True(after.GetProperty("uptime_seconds").GetInt64() < before.GetProperty("uptime_seconds").GetInt64() + 60);
        // The same data folder: the key and the database carried over.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/admin/settings")).StatusCode);
    }

    private static async Task<JsonElement> UptimeAsync(HttpClient http, TimeSpan within, System.Text.StringBuilder output)
    {
        var until = DateTime.UtcNow + within;
        while (DateTime.UtcNow < until)
        {
            try
            {
                var response = await http.GetAsync("/api/admin/system/uptime");
                if (response.IsSuccessStatusCode) return await response.Content.ReadFromJsonAsync<JsonElement>();
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        lock (output) Assert.Fail("The app did not answer in time. Its output:\n" + output);
        return default;
    }

    /// <summary>The Web project's own build (with its runtimeconfig), in the configuration these tests were built in.</summary>
    private static string WebDll()
    {
        var testBin = Path.GetDirectoryName(typeof(RestartProcessTests).Assembly.Location)!; // …/ComfyStudio.Tests/bin/<Config>/net10.0
        var tfm = Path.GetFileName(testBin);
        var config = Path.GetFileName(Path.GetDirectoryName(testBin))!;
        var root = Path.GetFullPath(Path.Combine(testBin, "..", "..", "..", ".."));
        var dll = Path.Combine(root, "ComfyStudio.Web", "bin", config, tfm, "ComfyStudio.Web.dll");
        Assert.True(File.Exists(dll), $"the app is built at {dll}");
        return dll;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        foreach (var pid in _pids)
        {
            try { using var p = System.Diagnostics.Process.GetProcessById(pid); p.Kill(entireProcessTree: true); p.WaitForExit(5000); }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
        }
        TestPaths.TryDelete(_dir);
    }
}
