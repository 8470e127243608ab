using System.Text.Json;
using System.Text.Json.Serialization;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Versions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Updates;

/// <summary>A component to deploy, and its path in the release.</summary>
public sealed record DeployPart(ReleaseComponent Component, string Source);

/// <summary>Told before each component is swapped in (tests use it to fail a deploy half-way).</summary>
public interface IDeployObserver
{
    void BeforeSwap(string component);
}

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
            foreach (var step in steps)
            {
                progress?.Report($"Preparing {step.Part.Component.Name}");
                FileSystemSwap.Delete(step.Staging);
                await repository.ExtractAsync(commit, step.Part.Source, step.Part.Component.IsDirectory, step.Staging, ct);
            }
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
            RollBack(steps);
            TryDelete(JournalPath);
            logger.LogError("Deploy failed, every component rolled back: {Reason}", e.Message);
            if (e is UpdateFailedException) throw;
            throw new UpdateFailedException(e is OperationCanceledException ? "the update was cancelled" : e.Message, e);
        }
        TryDelete(JournalPath);
        foreach (var step in steps) TryDelete(step.Previous);
    }

    /// <summary>At start: a deploy that a crash interrupted is finished (it had committed) or undone (it had not).</summary>
    public void RecoverInterrupted()
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
                    TryDelete(t.Path);
                    FileSystemSwap.Move(previous, t.Path);
                }
                else if (!t.HadPrevious)
                {
                    TryDelete(t.Path);
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

    private void RollBack(List<Step> steps)
    {
        for (var i = steps.Count - 1; i >= 0; i--)
        {
            var s = steps[i];
            try
            {
                if (s.Placed) FileSystemSwap.Delete(s.Target);
                if (s.MovedAway) FileSystemSwap.Move(s.Previous, s.Target);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogError("Could not put {Component} back: {Reason}", s.Part.Component.Name, e.Message);
            }
            TryDelete(s.Staging);
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
