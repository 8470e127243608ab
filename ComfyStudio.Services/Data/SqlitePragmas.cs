using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ComfyStudio.Services.Data;

/// <summary>
/// Every SQLite pragma the product relies on, in one place: each opened connection waits for a busy
/// database instead of failing at once, enforces foreign keys and syncs at WAL checkpoints; the file runs in WAL mode
/// (persistent, set when the database is prepared).
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    public const int BusyTimeoutMs = 5000;
    // synchronous is a per-connection setting (only journal_mode is stored in the file).
    public const string PerConnection = "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;";
    public const string PerDatabase = "PRAGMA journal_mode=WAL;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = PerConnection;
        cmd.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = PerConnection;
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
