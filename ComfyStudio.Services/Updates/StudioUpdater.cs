using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Versions;
using Hangfire;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Services.Updates;

/// <summary>
/// The update itself, run as a Hangfire job (the original product's steps, its bugs corrected): fetch, runtime gate, compare, then — in
/// maintenance mode — back up the database when the backend changes and deploy every changed component all or
/// nothing. <c>runtime</c> is never deployed.
/// </summary>
public sealed class StudioUpdater(
    ReleaseRepository repository, ComponentDeployer deployer, LocalVersion local, UpdateNotice notice,
    MaintenanceMode maintenance, DatabaseBackup backup, UpdateRuns runs, EventBus bus, ILogger<StudioUpdater> logger)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    [DisplayName("Update from the release repository")]
    [AutomaticRetry(Attempts = 0)]
    [Queue("critical")]
    public async Task<UpdateResult> RunAsync(string[] skipComponents, string? run, CancellationToken ct)
    {
        // One update at a time in this process, from the job's start to its end (whoever waits for it, or nobody).
        if (!await runs.Deploying.WaitAsync(0, ct))
        {
            var busy = new UpdateFailedException("another update is running");
            runs.Fail(run, busy);
            throw busy;
        }
        UpdateResult result;
        try
        {
            result = await UpdateAsync(skipComponents, ct);
        }
        catch (Exception e)
        {
            var failure = e as UpdateFailedException ?? new UpdateFailedException(e.Message, e);
            logger.LogError(e, "Update failed: {Reason}", failure.Message);
            bus.Publish(new StudioUpdateFailed(failure.Message));
            runs.Deploying.Release(); // before the caller hears of it, so an update asked for next is not refused
            runs.Fail(run, failure);
            throw failure; // the job shows as failed in the dashboard, with the reason
        }
        runs.Deploying.Release();
        runs.Complete(run, result);
        return result;
    }

    private async Task<UpdateResult> UpdateAsync(string[] skipComponents, CancellationToken ct)
    {
        try
        {
            return await UpdateOnceAsync(skipComponents, ct);
        }
        catch (StagingCloneDamagedException e)
        {
            // Everything was rolled back and the damaged clone removed: once more, from a fresh clone.
            logger.LogWarning("{Reason}; fetching the release into a fresh clone and trying once more", e.Message);
            return await UpdateOnceAsync(skipComponents, ct);
        }
    }

    private async Task<UpdateResult> UpdateOnceAsync(string[] skipComponents, CancellationToken ct)
    {
        var skip = ReleaseComponents.ValidateSkipList(skipComponents);
        Report("Fetching the release repository");
        var fetched = await repository.FetchAsync(ct);
        notice.Record(fetched);
        var remote = fetched.Manifest;
        var installed = local.Read();
        var debugLocal = installed.ToJson().ToJsonString();
        var debugRemote = remote.ToJson().ToJsonString();

        var runtime = local.Runtime;
        if (remote.MinRuntime > runtime)
        {
            var message = $"Update requires Docker image runtime v{remote.MinRuntime} (you have v{runtime})";
            logger.LogWarning("{Message}", message);
            return new UpdateResult
            {
                Blocked = true, Message = message, RemoteMinRuntime = remote.MinRuntime, LocalRuntime = runtime,
                LocalVersionJson = debugLocal, RemoteVersionJson = debugRemote,
            };
        }

        var newer = notice.ToDeploy(remote, installed);
        var changed = ReleaseComponents.Deployable.Where(c => !skip.Contains(c.Name) && newer.Contains(c.Name)).ToList();
        if (changed.Count == 0)
        {
            Report("Everything up to date");
            return new UpdateResult { Message = "Everything up to date", LocalVersionJson = debugLocal, RemoteVersionJson = debugRemote };
        }

        var names = changed.Select(c => c.Name).ToList();
        var restart = names.Contains(ReleaseComponents.Backend);
        maintenance.Enter("Updating " + string.Join(", ", names));
        try
        {
            var parts = changed.Select(c => new DeployPart(c, c.SourceIn(remote.Component(c.Name)))).ToList();
            if (restart)
            {
                Report("Backing up the database");
                await backup.CreateAsync(ct);
            }
            var merged = Merge(installed, remote, names);
            await deployer.DeployAsync(fetched.Commit, parts, merged.ToJsonString(Indented), new Progress(this), ct);
            logger.LogInformation("Updated {Components} to release {Version} ({Commit})", names, remote.AppVersion, fetched.Commit[..7]);
            bus.Publish(new StudioUpdated(names, restart, remote.AppVersion));
            notice.Refresh();
            Report(restart ? "Updated; restarting into the new backend" : "Updated");
            return new UpdateResult
            {
                Updated = names, RestartNeeded = restart, Message = "Updated: " + string.Join(", ", names),
                LocalVersionJson = debugLocal, RemoteVersionJson = debugRemote,
            };
        }
        catch
        {
            restart = false;
            throw;
        }
        finally
        {
            if (!restart) maintenance.Leave(); // after a backend update it stays on until the process is replaced
        }
    }

    /// <summary>
    /// The new local manifest: the remote one, except that every component not deployed now —
    /// skipped, runtime, or not newer — keeps its local entry, so the manifest describes what is on disk.
    /// </summary>
    internal static JsonObject Merge(VersionManifest installed, VersionManifest remote, IReadOnlyCollection<string> deployed)
    {
        var components = new Dictionary<string, ComponentVersion>(StringComparer.Ordinal);
        foreach (var (name, entry) in remote.Components)
            components[name] = deployed.Contains(name) ? entry : installed.Component(name) ?? entry;
        foreach (var (name, entry) in installed.Components)
            components.TryAdd(name, entry);
        foreach (var name in remote.Components.Keys.Where(n => !deployed.Contains(n) && installed.Component(n) is null).ToList())
            components.Remove(name); // not installed, not deployed: not claimed
        return (remote with { Components = components }).ToJson();
    }

    private void Report(string step) => bus.Publish(new UpdateProgress(step));

    private sealed class Progress(StudioUpdater updater) : IProgress<string>
    {
        public void Report(string value) => updater.Report(value);
    }
}
