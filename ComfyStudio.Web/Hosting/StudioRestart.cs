using System.Diagnostics;
using ComfyStudio.Services.Status;
using Hangfire;

namespace ComfyStudio.Web.Hosting;

/// <summary>Asks the app to restart itself (the System page, <c>POST /api/admin/system/restart</c>, a backend update).</summary>
public interface IStudioRestart
{
    bool Requested { get; }

    /// <summary>Flushes the databases, then stops the host after <paramref name="delay"/> so the answer reaches the caller.</summary>
    Task RequestAsync(string reason, TimeSpan delay, CancellationToken ct = default);
}

/// <summary>
/// Restarts the process on the same port. The host stops gracefully (jobs requeued, databases closed); then either
/// the same executable is started again with the same arguments (<c>RESTART_MODE=relaunch</c>, the default) and
/// waits for this process to exit before it binds the port, or the process exits with
/// <see cref="RestartExitCode"/> for a supervisor loop to start it again (<c>RESTART_MODE=exit</c>: the Docker
/// entrypoint).
/// </summary>
public sealed class StudioRestart(
    IHostApplicationLifetime lifetime, DatabaseFigures database, IServiceProvider services, ILogger<StudioRestart> logger) : IStudioRestart
{
    /// <summary>The exit code that asks <c>docker/entrypoint.sh</c> to start the app again.</summary>
    public const int RestartExitCode = 75;
    /// <summary>Set on the new process: the id of the process it replaces, whose port it must wait for.</summary>
    public const string ParentPidVariable = "COMFYSTUDIO_RESTARTED_FROM";

    private int _requested;
    public bool Requested => Volatile.Read(ref _requested) != 0;

    public async Task RequestAsync(string reason, TimeSpan delay, CancellationToken ct = default)
    {
        if (Interlocked.Exchange(ref _requested, 1) != 0) return;
        logger.LogWarning("Restarting: {Reason}", reason);
        try
        {
            await database.CheckpointAsync(ct);
            (services.GetService<JobStorage>() as Services.Jobs.Sqlite.SqliteJobStorage)?.Flush();
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            logger.LogWarning(e, "Could not checkpoint the databases before restarting; SQLite recovers the WAL on the next start");
        }
        _ = Task.Run(async () =>
        {
            await Task.Delay(delay, CancellationToken.None);
            lifetime.StopApplication();
        }, CancellationToken.None);
    }

    /// <summary>After the host stopped: starts the replacement, or returns the supervisor's restart code.</summary>
    public static int Complete(string? restartMode)
    {
        // The host and its loggers are gone by now: the console is what is left.
        var mode = restartMode?.Trim().ToLowerInvariant() ?? "relaunch";
        if (mode == "exit")
        {
            Console.Error.WriteLine($"ComfyStudio: exiting with code {RestartExitCode} for the supervisor to restart the app");
            return RestartExitCode;
        }
        var (file, arguments) = CurrentCommandLine();
        var start = new ProcessStartInfo(file) { UseShellExecute = false, WorkingDirectory = Environment.CurrentDirectory };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment[ParentPidVariable] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            using var child = Process.Start(start) ?? throw new InvalidOperationException("the process did not start");
            Console.Error.WriteLine($"ComfyStudio: restarting as process {child.Id}");
            return 0;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            Console.Error.WriteLine($"ComfyStudio: could not start the replacement process ({e.Message}); exiting with code {RestartExitCode}");
            return RestartExitCode;
        }
    }

    /// <summary>The executable and arguments this process was started with (<c>dotnet app.dll …</c> or the app host).</summary>
    internal static (string File, IReadOnlyList<string> Arguments) CurrentCommandLine()
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("the process path is unknown");
        var args = Environment.GetCommandLineArgs(); // [0] is the app's .dll under `dotnet`, the app host otherwise
        var viaMuxer = Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return viaMuxer ? (processPath, args) : (processPath, args[1..]);
    }

    /// <summary>
    /// In a replacement process: waits (at most 30 s) for the process it replaces to exit, so the port is free.
    /// </summary>
    public static void WaitForPreviousProcess()
    {
        var value = Environment.GetEnvironmentVariable(ParentPidVariable);
        if (value is null) return;
        Environment.SetEnvironmentVariable(ParentPidVariable, null);
        if (!int.TryParse(value, out var pid)) return;
        try
        {
            using var previous = Process.GetProcessById(pid);
            previous.WaitForExit(TimeSpan.FromSeconds(30));
        }
        catch (ArgumentException)
        {
            // already gone
        }
    }
}
