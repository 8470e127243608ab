using System.Text.Json;
using System.Text.Json.Serialization;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Versions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Updates;

/// <summary>
/// Deploys components all or nothing. Every component is first written beside its target
/// (<c>&lt;target&gt;.staging-&lt;run&gt;</c>); then each is swapped in by two renames, the old copy kept as
/// <c>&lt;target&gt;.previous-&lt;run&gt;</c>; writing the merged <c>version.json</c> commits the update, and only then are
/// the old copies removed. Any failure puts every swapped component back and leaves <c>version.json</c> as it was.
/// A journal (<c>STUDIO_DIR/.update-journal.json</c>) lets the next start finish or undo a deploy that a crash
/// interrupted.
/// </summary>
public sealed class ComponentDeployer(
    IOptions<StudioOptions> options, ReleaseRepository repository, LocalVersion local,
    IEnumerable<IDeployObserver> observers, ILogger<ComponentDeployer> logger)
{
    private sealed record Journal(
        [property: JsonPropertyName("run")] string Run,
        [property: JsonPropertyName("targets")] List<JournalTarget> Targets,
        [property: JsonPropertyName("version_json")] string VersionJson);

    private sealed record JournalTarget(
        [property: JsonPropertyName("path")] string Path,
        [property: JsonPropertyName("had_previous")] bool HadPrevious);

    private string StudioDir => options.Value.StudioDir!;
    private string JournalPath => Path.Combine(StudioDir, ".update-journal.json");

    /// <summary>
    /// Nothing of a component is on disk (a fresh install): it is deployed even when the versions say it is current.
    /// The backend is the exception: the built-in one runs when none is deployed.
    /// </summary>
    public bool IsMissing(ReleaseComponent c)
    {
        if (c.Name == ReleaseComponents.Backend) return false;
        var target = TargetOf(c);
        return c.IsDirectory ? !Directory.Exists(target) || !Directory.EnumerateFileSystemEntries(target).Any() : !File.Exists(target);
    }

    private string TargetOf(ReleaseComponent c) => Path.Combine(StudioDir, c.Target.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Stages, swaps and commits <paramref name="parts"/>; <paramref name="versionJson"/> becomes the local version.json.</summary>
    /// <exception cref="UpdateFailedException">Something failed; every component is as it was before the call.</exception>
    public async Task DeployAsync(string commit, IReadOnlyList<DeployPart> parts, string versionJson,
        IProgress<string>? progress = null, CancellationToken ct = default)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var steps = parts.Select(p => new Step(p, TargetOf(p.Component), run)).ToList();
        try
        {
            progress?.Report("Preparing " + string.Join(", ", steps.Select(s => s.Part.Component.Name)));
            foreach (var step in steps) FileSystemSwap.Delete(step.Staging);
            await repository.ExtractAllAsync(commit, steps.Select(s => (s.Part.Source, s.Part.Component.IsDirectory, s.Staging)).ToList(), ct);
            WriteJournal(new Journal(run, steps.Select(s => new JournalTarget(s.Target, FileSystemSwap.Exists(s.Target))).ToList(), versionJson));
            foreach (var step in steps)
            {
                progress?.Report($"Deploying {step.Part.Component.Name}");
                foreach (var observer in observers) observer.BeforeSwap(step.Part.Component.Name);
                Directory.CreateDirectory(Path.GetDirectoryName(step.Target)!);
                if (FileSystemSwap.Exists(step.Target))
                {
                    FileSystemSwap.Move(step.Target, step.Previous);
                    step.MovedAway = true;
                }
                FileSystemSwap.Move(step.Staging, step.Target);
                step.Placed = true;
            }
            FileSystemSwap.WriteAtomically(local.DeployedPath, versionJson); // the commit point
        }
        catch (Exception e)
        {
            if (RollBack(steps)) TryDelete(JournalPath); // else the next start tries again from the journal
            logger.LogError("Deploy failed, every component rolled back: {Reason}", e.Message);
            if (e is UpdateFailedException) throw;
            throw new UpdateFailedException(e is OperationCanceledException ? "the update was cancelled" : e.Message, e);
        }
        // The old copies go first, then the journal. The backend's stays until the next start: the running process
        // may have been loaded from it.
        foreach (var step in steps.Where(s => s.Part.Component.Name != ReleaseComponents.Backend)) TryDelete(step.Previous);
        TryDelete(JournalPath);
    }

    /// <summary>
    /// At start: a deploy that a crash interrupted is finished (it had committed) or undone (it had not); copies left
    /// beside the components (<c>.staging-*</c>, <c>.previous-*</c>) by a crash or kept for the running backend go.
    /// Never throws: a recovery that cannot complete keeps its journal and is tried again at the next start.
    /// </summary>
    public void RecoverInterrupted()
    {
        try
        {
            RecoverFromJournal();
            if (!File.Exists(JournalPath)) RemoveLeftovers();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogError("Recovering an interrupted update failed ({Reason}); it is tried again at the next start", e.Message);
        }
    }

    private void RemoveLeftovers()
    {
        foreach (var c in ReleaseComponents.Deployable)
        {
            var target = TargetOf(c);
            var folder = Path.GetDirectoryName(target)!;
            if (!Directory.Exists(folder)) continue;
            var name = Path.GetFileName(target);
            foreach (var leftover in Directory.EnumerateFileSystemEntries(folder, name + ".*")
                         .Where(p => Path.GetFileName(p) is var n && (n.StartsWith(name + ".staging-", StringComparison.Ordinal)
                                                                       || n.StartsWith(name + ".previous-", StringComparison.Ordinal)
                                                                       || n.StartsWith(name + ".discarded-", StringComparison.Ordinal))))
                TryDelete(leftover);
        }
    }

    private void RecoverFromJournal()
    {
        if (!File.Exists(JournalPath)) return;
        Journal? journal;
        try { journal = JsonSerializer.Deserialize<Journal>(File.ReadAllText(JournalPath)); }
        catch (JsonException) { journal = null; }
        if (journal is null)
        {
            logger.LogWarning("Ignoring an unreadable update journal");
            TryDelete(JournalPath);
            return;
        }
        var committed = File.Exists(local.DeployedPath) && File.ReadAllText(local.DeployedPath) == journal.VersionJson;
        foreach (var t in journal.Targets)
        {
            if (!IsInside(t.Path)) continue;
            var previous = t.Path + ".previous-" + journal.Run;
            if (!committed)
            {
                if (FileSystemSwap.Exists(previous))
                {
                    Remove(t.Path);
                    FileSystemSwap.Move(previous, t.Path);
                }
                else if (!t.HadPrevious)
                {
                    Remove(t.Path);
                }
            }
            TryDelete(previous);
            TryDelete(t.Path + ".staging-" + journal.Run);
        }
        TryDelete(JournalPath);
        logger.LogWarning("An update was interrupted by a restart; it was {Outcome}", committed ? "completed" : "rolled back");
    }

    private bool IsInside(string path) =>
        Path.GetFullPath(path).StartsWith(Path.GetFullPath(StudioDir) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>Puts every swapped component back; true when all went back.</summary>
    private bool RollBack(List<Step> steps)
    {
        var clean = true;
        for (var i = steps.Count - 1; i >= 0; i--)
        {
            var s = steps[i];
            try
            {
                if (s.Placed) Remove(s.Target);
                if (s.MovedAway) FileSystemSwap.Move(s.Previous, s.Target);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                clean = false;
                logger.LogError("Could not put {Component} back: {Reason}", s.Part.Component.Name, e.Message);
            }
            TryDelete(s.Staging);
        }
        return clean;
    }

    /// <summary>Deletes a path; what cannot be deleted is renamed aside, so the path is free either way.</summary>
    private void Remove(string path)
    {
        try
        {
            FileSystemSwap.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!FileSystemSwap.Exists(path)) return;
            FileSystemSwap.Move(path, path + ".discarded-" + Guid.NewGuid().ToString("N")[..8]);
            logger.LogWarning("Could not delete {Path} ({Reason}); renamed it aside", path, e.Message);
        }
    }

    private void WriteJournal(Journal journal) => FileSystemSwap.WriteAtomically(JournalPath, JsonSerializer.Serialize(journal));

    private void TryDelete(string path)
    {
        try { FileSystemSwap.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not remove {Path}: {Reason}", path, e.Message);
        }
    }

    private sealed class Step(DeployPart part, string target, string run)
    {
        public DeployPart Part { get; } = part;
        public string Target { get; } = target;
        public string Staging { get; } = target + ".staging-" + run;
        public string Previous { get; } = target + ".previous-" + run;
        public bool MovedAway { get; set; }
        public bool Placed { get; set; }
    }
}
