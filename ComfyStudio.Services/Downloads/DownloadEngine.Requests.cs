using System.Security.Cryptography;
using System.Text.RegularExpressions;
using ComfyStudio.Services.Data;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Formatting;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComfyStudio.Services.Downloads;

/// <summary>The engine's requests: what a download may ask for, checked before anything is written.</summary>
public sealed partial class DownloadEngine
{

    /// <summary>
    /// Validates a request (400 for any bad file), records it and starts it as a Hangfire job. With
    /// <paramref name="refetch"/> every file is checked again: one that matches a known SHA-256 is kept, any other is fetched anew.
    /// </summary>
    public async Task<DownloadView> CreateAsync(DownloadRequest request, bool refetch = false, CancellationToken ct = default)
    {
        var files = Validate(request);
        var now = clock.GetUtcNow().UtcDateTime;
        var id = "dl_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var paths = files.Select(f => f.Path).ToList();
            var existing = await db.DownloadFiles.Where(f => paths.Contains(f.Path)).ToDictionaryAsync(f => f.Path, ct);
            var record = new DownloadRecord
            {
                Id = id, Name = string.IsNullOrWhiteSpace(request.Name) ? files[0].Path : request.Name.Trim(),
                PresetId = request.PresetId, Priority = request.Priority, CreatedAt = now,
            };
            var position = 0;
            foreach (var f in files)
            {
                if (!existing.TryGetValue(f.Path, out var row))
                {
                    row = new DownloadFileRecord { Path = f.Path, Url = f.Url, UpdatedAt = now };
                    db.DownloadFiles.Add(row);
                }
                else if (row.Url != f.Url || (f.Sha256 is not null && row.Sha256 is not null && row.Sha256 != f.Sha256))
                {
                    // Another source, or a completed file that is not the one asked for now: fetch it again.
                    row.Url = f.Url;
                    if (row.Status == DownloadFileStates.Completed) row.Status = DownloadFileStates.Pending;
                    row.UpdatedAt = now;
                }
                // A completed file deleted or changed by hand since: fetched again (the transfer keeps it when it verifies).
                if (row.Status == DownloadFileStates.Completed && (row.TotalBytes is not { } done || !InPlace(row.Path, done))) row.Status = DownloadFileStates.Pending;
                row.ExpectedSize = f.Size ?? row.ExpectedSize;
                row.ExpectedSha256 = f.Sha256 ?? row.ExpectedSha256;
                if (row.Status == DownloadFileStates.Failed) { row.Status = DownloadFileStates.Pending; row.Error = null; row.ErrorCode = null; }
                if (refetch)
                {
                    row.Refetch = true;
                    if (row.Status == DownloadFileStates.Completed) row.Status = DownloadFileStates.Pending;
                }
                record.Items.Add(new DownloadItemRecord { DownloadId = id, File = row, Position = position++ });
            }
            // Before anything starts: the files of known size must fit (the transfer checks again, with what it learns).
            var needed = DiskSpace.Sum(record.Items.Select(i => i.File).Where(f => f.Status != DownloadFileStates.Completed)
                .Select(f => Math.Max(0, (f.ExpectedSize ?? 0) - f.DownloadedBytes)));
            diskSpace.EnsureRoom(needed, "the download");
            db.Downloads.Add(record);
            await db.SaveChangesAsync(ct);
        }
        Enqueue(id);
        bus.Publish(new DownloadQueued(id, request.Name, files.Count));
        return (await GetAsync(id, ct))!;
    }

    private List<DownloadFileRequest> Validate(DownloadRequest request)
    {
        if (request.Files is not { Count: > 0 }) throw StudioException.Validation("'files' must list at least one file");
        if (request.Files.Count > MaxFiles) throw StudioException.Validation($"'files' may list at most {MaxFiles} files");
        if (request.Name?.Length > 200) throw StudioException.Validation("'name' is longer than 200 characters");
        var result = new List<DownloadFileRequest>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (f, i) in request.Files.Select((f, i) => (f, i)))
        {
            if (f is null) throw StudioException.Validation($"files[{i}] is missing");
            if (!Uri.TryCreate(f.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || f.Url.Length > 4096)
                throw StudioException.Validation($"files[{i}].url must be an http or https URL");
            var (path, problem) = ModelPaths.Check(f.Path, ModelsDir);
            if (path is null) throw StudioException.Validation($"files[{i}].path {problem}");
            if (!seen.Add(path)) throw StudioException.Validation($"files[{i}].path '{path}' is listed twice");
            if (f.Size is <= 0 or > DiskSpace.MaxFileBytes)
                throw StudioException.Validation($"files[{i}].size must be a number of bytes from 1 to {DiskSpace.MaxFileBytes} ({ByteSize.Format(DiskSpace.MaxFileBytes)})");
            var sha = f.Sha256?.Trim().ToLowerInvariant();
            if (sha is not null && !Sha256Pattern().IsMatch(sha)) throw StudioException.Validation($"files[{i}].sha256 must be 64 hexadecimal digits");
            result.Add(new DownloadFileRequest(f.Url, path, f.Size, sha));
        }
        return result;
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Pattern();

    private void Enqueue(string id) =>
        services.GetRequiredService<IBackgroundJobClient>().Enqueue<DownloadJob>(j => j.RunAsync(id, CancellationToken.None));
}
