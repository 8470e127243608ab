using System.Diagnostics;
using System.Security.Cryptography;
using ComfyStudio.Services.Data;
using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Presets;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Services.Models;

/// <summary>
/// The full check, as a Hangfire job: every model file (of one type, or of one preset) hashed with SHA-256 and compared
/// with the hash the download engine recorded or the registry gives. A file unchanged since its last check (same size
/// and time) is not hashed again. A file whose hash proves wrong is forgotten by the download engine, so its preset
/// reads as not installed and the Presets page offers to fetch it again.
/// </summary>
public sealed class ModelValidationJob(ModelLibrary library, PresetStates presets, DownloadEngine engine, IDbContextFactory<StudioDbContext> dbFactory,
    EventBus bus, ILogger<ModelValidationJob> logger)
{
    private const int BufferBytes = 1 << 20;

    /// <summary>Starts the full check (of one folder, or one preset's files, or all) as a job: the id its progress events carry, and Hangfire's id.</summary>
    public static (string JobId, string HangfireId) Enqueue(IBackgroundJobClient jobs, string? type, string? preset)
    {
        var id = "mv_" + Guid.NewGuid().ToString("N")[..12];
        return (id, jobs.Enqueue<ModelValidationJob>(j => j.RunAsync(id, type, preset, CancellationToken.None)));
    }

    [System.ComponentModel.DisplayName("Check model files ({0})")]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(string jobId, string? type, string? preset, CancellationToken ct)
    {
        var files = (await library.ListAsync(ct)).Where(f => f.InModelsFolder && (type is null || f.Type == type)).ToList();
        var expected = await library.KnownAsync([.. files.Select(f => f.Path)], ct);
        if (preset is not null)
        {
            var status = await presets.ReadAsync(presets.Find(preset), ct);
            var paths = status.Files.Select(f => f.Path).OfType<string>().ToHashSet(StringComparer.Ordinal);
            files = [.. files.Where(f => paths.Contains(f.Path))];
        }
        var total = files.Sum(f => f.Size);
        long done = 0;
        var hashed = 0;
        var mismatched = new List<string>();
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        for (var i = 0; i < files.Count; i++)
        {
            var file = files[i];
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var row = await db.ModelFiles.FirstOrDefaultAsync(r => r.Path == file.Path, ct);
            if (row is null) continue;
            var want = expected.GetValueOrDefault(file.Path).Sha256;
            if (row.Sha256 is null || row.HashedSize != file.Size || row.HashedModified != file.Modified)
            {
                row.Sha256 = await HashAsync(file.FullPath, bytes =>
                {
                    done += bytes;
                    if (clock.Elapsed - lastReport < TimeSpan.FromMilliseconds(500)) return;
                    lastReport = clock.Elapsed;
                    bus.Publish(new ModelValidationProgressed(jobId, i, files.Count, done, total, Math.Round(done / 1e6 / Math.Max(0.001, clock.Elapsed.TotalSeconds), 1), file.Path));
                }, ct);
                row.HashedSize = file.Size;
                row.HashedModified = file.Modified;
                hashed++;
            }
            else done += file.Size;
            row.ExpectedSha256 = want;
            row.HashMatches = want is null ? null : string.Equals(row.Sha256, want, StringComparison.OrdinalIgnoreCase);
            if (row.HashMatches == false)
            {
                row.Problem = $"SHA-256 mismatch: expected {want}, the file has {row.Sha256}";
                mismatched.Add(file.Path);
            }
            await db.SaveChangesAsync(ct);
        }
        if (mismatched.Count > 0)
        {
            await engine.ForgetFilesAsync(mismatched, ct); // its preset is no longer installed; an install fetches it again
            logger.LogWarning("Model check: {Count} file(s) do not match their known SHA-256: {Files}", mismatched.Count, string.Join(", ", mismatched));
        }
        bus.Publish(new ModelValidationProgressed(jobId, files.Count, files.Count, total, total, Math.Round(total / 1e6 / Math.Max(0.001, clock.Elapsed.TotalSeconds), 1), null));
        bus.Publish(new ModelValidationFinished(jobId, files.Count, hashed, mismatched));
    }

    private static async Task<string> HashAsync(string path, Action<int> progress, CancellationToken ct)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, BufferBytes, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var buffer = new byte[BufferBytes];
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            sha.AppendData(buffer, 0, read);
            progress(read);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
