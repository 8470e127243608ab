using System.Globalization;
using ComfyStudio.Services.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Updates;

/// <summary>
/// Copies <c>studio.db</c> with SQLite's online backup (consistent while the app writes) into
/// <c>STUDIO_DIR/database/backups</c>, keeping the newest <see cref="Kept"/>.
/// </summary>
public sealed class DatabaseBackup(IOptions<StudioOptions> options, TimeProvider clock, ILogger<DatabaseBackup> logger)
{
    public const int Kept = 3;

    public string BackupsDir => Path.Combine(options.Value.DatabaseDir, "backups");

    public IReadOnlyList<string> List() => Directory.Exists(BackupsDir)
        ? Directory.GetFiles(BackupsDir, "studio-*.db").Order(StringComparer.Ordinal).ToList()
        : [];

    public async Task<string> CreateAsync(CancellationToken ct = default)
    {
        Directory.CreateDirectory(BackupsDir);
        var stamp = clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture);
        var path = Path.Combine(BackupsDir, $"studio-{stamp}.db");
        await using (var source = new SqliteConnection(new SqliteConnectionStringBuilder
                     { DataSource = options.Value.DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
        await using (var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            await source.OpenAsync(ct);
            await target.OpenAsync(ct);
            source.BackupDatabase(target);
        }
        foreach (var old in List().Reverse().Skip(Kept))
        {
            try { File.Delete(old); }
            catch (IOException e) { logger.LogWarning("Could not remove old backup {Path}: {Reason}", old, e.Message); }
        }
        logger.LogInformation("Database backed up to {Path}", path);
        return path;
    }
}
