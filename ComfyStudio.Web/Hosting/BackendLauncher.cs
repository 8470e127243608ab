using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Versions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Web.Hosting;

/// <summary>
/// Starts the backend an update deployed (<c>STUDIO_DIR/backend</c>) instead of the built-in one, when it holds a
/// complete build this runtime supports. The built-in app then stays as a small supervisor: it runs the deployed
/// backend with <c>RESTART_MODE=exit</c>, starts it again when it asks to be restarted, forwards stop signals,
/// and falls back to running itself when the deployed build is gone, unsupported, or fails at start.
/// </summary>
public static class BackendLauncher
{
    /// <summary>Set on a backend started by a supervisor (or the Docker entrypoint): it runs itself, never hands over.</summary>
    public const string SupervisedVariable = "COMFYSTUDIO_SUPERVISED";
    public const string AssemblyFile = "ComfyStudio.Web.dll";
    /// <summary>This build's own main assembly.</summary>
    public static string BuiltIn => Path.Combine(AppContext.BaseDirectory, AssemblyFile);
    private static readonly TimeSpan StartGrace = TimeSpan.FromSeconds(30);

    /// <summary>The deployed backend's main assembly to run instead of this build, or null to run this build.</summary>
    public static string? DeployedBackend(StudioOptions studio, TextWriter? why = null)
    {
        if (Environment.GetEnvironmentVariable(SupervisedVariable) == "1") return null;
        var dir = Path.Combine(studio.StudioDir!, "backend");
        var dll = Path.Combine(dir, AssemblyFile);
        if (!File.Exists(dll)) return null;
        if (SamePath(AppContext.BaseDirectory, dir)) return null; // this is the deployed backend
        if (File.Exists(Path.Combine(studio.StudioDir!, ".update-journal.json")))
        {
            why?.WriteLine("ComfyStudio: an interrupted update is being recovered; starting the built-in backend");
            return null;
        }
        if (!NewerThanBuiltIn(dir))
        {
            why?.WriteLine("ComfyStudio: the built-in backend is as new as the deployed one (a newer image); starting the built-in one");
            return null;
        }
        var problem = Unsupported(studio, dir);
        if (problem is not null)
        {
            why?.WriteLine($"ComfyStudio: the deployed backend cannot run here ({problem}); starting the built-in one");
            return null;
        }
        return dll;
    }

    /// <summary>The deployed backend's version is newer than this build's (a newer image wins over an older deployed backend).</summary>
    internal static bool NewerThanBuiltIn(string dir)
    {
        try
        {
            var deployedFile = Path.Combine(dir, LocalVersion.FileName);
            if (!File.Exists(deployedFile) || !File.Exists(LocalVersion.BuiltInPath)) return true;
            var deployed = VersionManifest.Parse(File.ReadAllText(deployedFile)).Component(Services.Updates.ReleaseComponents.Backend)?.Version;
            var builtIn = VersionManifest.Parse(File.ReadAllText(LocalVersion.BuiltInPath)).Component(Services.Updates.ReleaseComponents.Backend)?.Version;
            return builtIn is null || Services.Updates.ReleaseComponents.IsNewer(deployed, builtIn);
        }
        catch (Exception e) when (e is FormatException or IOException)
        {
            return true;
        }
    }

    /// <summary>Why this runtime cannot run the build in <paramref name="dir"/>, or null when it can.</summary>
    internal static string? Unsupported(StudioOptions studio, string dir)
    {
        var config = Path.Combine(dir, Path.ChangeExtension(AssemblyFile, ".runtimeconfig.json"));
        if (!File.Exists(config)) return "its runtimeconfig.json is missing";
        try
        {
            var frameworks = JsonNode.Parse(File.ReadAllText(config))?["runtimeOptions"] is JsonObject options
                ? (options["frameworks"] as JsonArray)?.OfType<JsonObject>().ToList() ?? (options["framework"] is JsonObject f ? [f] : [])
                : [];
            foreach (var framework in frameworks)
                if (Version.TryParse(framework["version"]?.GetValue<string>(), out var needed) && needed.Major > Environment.Version.Major)
                    return $"it needs {framework["name"]?.GetValue<string>()} {needed}, this runtime is .NET {Environment.Version}";
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or IOException)
        {
            return "its runtimeconfig.json is unreadable";
        }
        var runtime = new LocalVersion(Options.Create(studio), NullLogger<LocalVersion>.Instance).Runtime;
        var manifest = Path.Combine(dir, LocalVersion.FileName);
        if (File.Exists(manifest))
        {
            try
            {
                var minRuntime = VersionManifest.Parse(File.ReadAllText(manifest)).MinRuntime;
                if (minRuntime > runtime) return $"it needs runtime v{minRuntime}, this is v{runtime}";
            }
            catch (Exception e) when (e is FormatException or IOException)
            {
                return "its version.json is unreadable";
            }
        }
        return null;
    }

    /// <summary>
    /// Runs <paramref name="dll"/> (the deployed backend, or after a restart the built-in one) as a child until it
    /// stops for good, starting it again each time it asks to be restarted. Returns its exit code, or null when this
    /// process should run the built-in backend itself (the deployed one went away, or failed within its first
    /// seconds). With <paramref name="fallBackToChild"/> (this process's own host has already stopped) the built-in
    /// backend is run as the child instead, and null is never returned.
    /// </summary>
    public static async Task<int?> SuperviseAsync(StudioOptions studio, string dll, string[] args, bool fallBackToChild = false)
    {
        while (true)
        {
            var builtIn = SamePath(dll, BuiltIn);
            // The built-in app keeps the folder it was started from (its defaults follow it); a deployed one runs in its own.
            var start = new ProcessStartInfo(DotnetHost())
            {
                UseShellExecute = false, WorkingDirectory = builtIn ? Environment.CurrentDirectory : Path.GetDirectoryName(dll)!,
            };
            start.ArgumentList.Add(dll);
            foreach (var a in args) start.ArgumentList.Add(a);
            start.Environment[SupervisedVariable] = "1";
            // The data stays where this process resolved it (its defaults follow the working directory).
            start.Environment["STUDIO_DIR"] = studio.StudioDir;
            start.Environment["COMFYUI_DIR"] = studio.ComfyUiDir;
            start.Environment["RESTART_MODE"] = "exit";
            Console.Error.WriteLine(builtIn
                ? "ComfyStudio: starting the app again (this process stays, so Ctrl+C here still stops it)"
                : $"ComfyStudio: starting the deployed backend {dll}");
            var started = Stopwatch.StartNew();
            using var child = Process.Start(start) ?? throw new InvalidOperationException("the deployed backend did not start");
            var stopping = new StrongBox<bool>();
            using (Forward(PosixSignal.SIGTERM, 15, child, stopping))
            using (Forward(PosixSignal.SIGINT, 2, child, stopping))
            using (Forward(PosixSignal.SIGQUIT, 3, child, stopping))
                await child.WaitForExitAsync();
            var code = child.ExitCode;
            if (stopping.Value) return code; // asked to stop: never restart, never fall back
            if (code == StudioRestart.RestartExitCode)
            {
                var next = DeployedBackend(studio, Console.Error);
                if (next is null && !fallBackToChild) return null;
                dll = next ?? BuiltIn;
                continue;
            }
            if (code != 0 && started.Elapsed < StartGrace && !builtIn)
            {
                Console.Error.WriteLine($"ComfyStudio: the deployed backend failed to start (exit code {code}); setting it aside and starting the built-in one");
                SetAside(Path.GetDirectoryName(dll)!);
                if (!fallBackToChild) return null;
                dll = BuiltIn;
                continue;
            }
            return code;
        }
    }

    /// <summary>Moves a deployed backend that cannot start out of the way (kept for a look, not started again).</summary>
    public static void SetAside(string backendDir)
    {
        try
        {
            Directory.Move(backendDir, backendDir + ".failed-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"ComfyStudio: could not set the failed backend aside: {e.Message}");
        }
    }

    private static PosixSignalRegistration Forward(PosixSignal signal, int number, Process child, StrongBox<bool> stopping) =>
        PosixSignalRegistration.Create(signal, context =>
        {
            stopping.Value = true;
            context.Cancel = true; // the child decides when this process ends
            try { if (!child.HasExited) _ = Kill(child.Id, number); }
            catch (InvalidOperationException) { }
        });

#pragma warning disable SYSLIB1054 // a single blittable call; no marshalling to generate
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054

    /// <summary>The <c>dotnet</c> host this process runs under, else the one on the PATH.</summary>
    private static string DotnetHost()
    {
        var path = Environment.ProcessPath;
        return path is not null && Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? path : "dotnet";
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a).TrimEnd(Path.DirectorySeparatorChar), Path.GetFullPath(b).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal);
}
