using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Status;
using Hangfire;

namespace ComfyStudio.Web.Hosting;

/// <summary>
/// Restarts the app on the same port. The host stops gracefully (jobs requeued, databases closed); then either this
/// process stays as a small supervisor and runs the app again as its child (<c>RESTART_MODE=relaunch</c>, the default:
/// the terminal it was started from keeps waiting on it, so Ctrl+C still stops the app, and the supervisor starts the
/// app again on each later restart), or the process exits with <see cref="RestartExitCode"/> for a supervisor loop to
/// start it again (<c>RESTART_MODE=exit</c>: the Docker entrypoint).
/// </summary>
public sealed class StudioRestart(
    IHostApplicationLifetime lifetime, DatabaseFigures database, IServiceProvider services, ILogger<StudioRestart> logger) : IStudioRestart
{
    /// <summary>The exit code that asks <c>docker/entrypoint.sh</c> (or this app's own supervisor) to start the app again.</summary>
    public const int RestartExitCode = 75;

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

    /// <summary>
    /// After the host stopped (its port is free): runs the app again as a supervised child until it stops for good and
    /// answers its exit code, or answers the supervisor's restart code.
    /// </summary>
    public static async Task<int> CompleteAsync(string? restartMode, StudioOptions studio, string[] args)
    {
        // The host and its loggers are gone by now: the console is what is left.
        var mode = restartMode?.Trim().ToLowerInvariant() ?? "relaunch";
        if (mode == "exit")
        {
            Console.Error.WriteLine($"ComfyStudio: exiting with code {RestartExitCode} for the supervisor to restart the app");
            return RestartExitCode;
        }
        GC.Collect(); // what the stopped host held: the supervisor stays small
        try
        {
            var dll = BackendLauncher.DeployedBackend(studio, Console.Error) ?? BackendLauncher.BuiltIn;
            return await BackendLauncher.SuperviseAsync(studio, dll, args, fallBackToChild: true) ?? 0;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            Console.Error.WriteLine($"ComfyStudio: could not start the app again ({e.Message}); exiting with code {RestartExitCode}");
            return RestartExitCode;
        }
    }
}
