using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace ComfyStudio.Tests.Infrastructure;

/// <summary>
/// The app as a real process (<c>dotnet ComfyStudio.Web.dll</c>, or a launcher such as the Docker entrypoint) on a
/// free port with its own data folder, its output captured. Disposing kills it and every process that carries its
/// data folder in its environment (the processes it restarted into); a launcher runs in a process group of its own,
/// which is killed whole.
/// </summary>
public sealed class StudioProcess : IDisposable
{
    private readonly StringBuilder _output = new();
    private readonly bool _ownGroup;

    public StudioProcess(string dll, string root, IReadOnlyDictionary<string, string>? environment = null)
        : this(["dotnet", dll], root, environment, ownGroup: false)
    {
    }

    /// <summary>
    /// Starts <paramref name="command"/> (e.g. <c>sh docker/entrypoint.sh</c>) under <c>setsid</c>, so it and everything
    /// it starts form one process group (<see cref="First"/>'s id), killed whole on dispose.
    /// </summary>
    public static StudioProcess Launcher(IReadOnlyList<string> command, string root, IReadOnlyDictionary<string, string>? environment = null) =>
        // A terminal's foreground job has Ctrl+C's signals at their defaults; a test run started in the background
        // (`dotnet test &` in a script) inherits them ignored, which .NET honours, so they are reset first.
        new(["env", "--default-signal=INT,QUIT", "setsid", .. command], root, environment, ownGroup: true);

    private StudioProcess(IReadOnlyList<string> command, string root, IReadOnlyDictionary<string, string>? environment, bool ownGroup)
    {
        Root = root;
        Port = FreePort();
        _ownGroup = ownGroup;
        var start = new ProcessStartInfo(command[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command.Skip(1)) start.ArgumentList.Add(argument);
        start.Environment["STUDIO_DIR"] = StudioDir;
        start.Environment["COMFYUI_DIR"] = Path.Combine(root, "ComfyUI");
        start.Environment["STUDIO_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["API_KEY"] = StudioFactory.PrimaryKey;
        start.Environment["COMFYUI_URL"] = "http://127.0.0.1:9";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Telemetry__NvidiaSmiPath"] = "/nonexistent/nvidia-smi";
        foreach (var name in new[] { "RESTART_MODE", "COMFYSTUDIO_SUPERVISED", "REPO_URL", "RUNTIME_VERSION" })
            start.Environment.Remove(name);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        First = Process.Start(start)!;
        First.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        First.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        First.BeginOutputReadLine();
        First.BeginErrorReadLine();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Add("X-API-Key", StudioFactory.PrimaryKey);
    }

    public string Root { get; }
    public string StudioDir => Path.Combine(Root, "studio");
    public int Port { get; }
    /// <summary>The process this helper started (a restart replaces it by another).</summary>
    public Process First { get; }
    public HttpClient Http { get; }

    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Waits until the app answers <c>/api/admin/system/uptime</c>, optionally from another process than <paramref name="notPid"/>.</summary>
    public async Task<JsonElement> UptimeAsync(TimeSpan within, int? notPid = null)
    {
        var until = DateTime.UtcNow + within;
        while (DateTime.UtcNow < until)
        {
            try
            {
                var response = await Http.GetAsync("/api/admin/system/uptime");
                if (response.IsSuccessStatusCode)
                {
                    var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                    if (notPid is null || body.GetProperty("pid").GetInt32() != notPid) return body;
                }
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        Assert.Fail("The app did not answer in time. Its output:\n" + Output);
        return default;
    }

    /// <summary>A process's process group (Linux), or null when it is gone.</summary>
    public static int? ProcessGroup(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // after "pid (name) ": state, ppid, pgrp, …
            return int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>A process's command line (Linux), or empty when it is gone.</summary>
    public static string CommandLine(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim(); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        Http.Dispose();
        if (_ownGroup && Kill(-First.Id, 9) != 0 && Marshal.GetLastPInvokeError() != 3) // SIGKILL to the group; 3: ESRCH, it is gone already
            Console.Error.WriteLine($"Could not kill process group {First.Id}: errno {Marshal.GetLastPInvokeError()}");
        foreach (var pid in Descendants())
        {
            try { using var p = Process.GetProcessById(pid); p.Kill(entireProcessTree: true); p.WaitForExit(5000); }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
        }
        First.Dispose();
    }

    /// <summary>Ctrl+C as a terminal sends it: SIGINT to this app's whole process group (a <see cref="Launcher"/> one only).</summary>
    public void PressCtrlC()
    {
        Assert.True(_ownGroup, "Ctrl+C goes to a process group: start the app with Launcher");
        Assert.Equal(0, Kill(-First.Id, 2));
    }

    /// <summary><c>kill(2)</c>; a negative pid signals every process of that group.</summary>
#pragma warning disable SYSLIB1054 // a single blittable call; no marshalling to generate
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054

    /// <summary>Every live process that belongs to this app's data folder (the first one and those it restarted into).</summary>
    private List<int> Descendants()
    {
        var pids = new List<int> { First.Id };
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == First.Id || pid == Environment.ProcessId) continue;
            try
            {
                var environ = File.ReadAllText(Path.Combine(dir, "environ"));
                if (environ.Contains("STUDIO_DIR=" + StudioDir + "\0", StringComparison.Ordinal)) pids.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return pids;
    }
}
