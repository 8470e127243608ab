using ComfyStudio.Services.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ComfyStudio.Services.Data;

public static class StudioDataExtensions
{
    public static string ConnectionString(string databasePath) => new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
    }.ToString();

    public static void Configure(DbContextOptionsBuilder options, string databasePath) =>
        options.UseSqlite(ConnectionString(databasePath)).AddInterceptors(new SqlitePragmas());

    /// <summary>A context factory: every unit of work opens its own context (and connection).</summary>
    public static IHostApplicationBuilder AddStudioData(this IHostApplicationBuilder builder, StudioOptions options)
    {
        builder.Services.AddDbContextFactory<StudioDbContext>(o => Configure(o, options.DatabasePath));
        builder.Services.AddHostedService<DatabaseMigrator>();
        return builder;
    }

    /// <summary>Applies migrations and switches the file to WAL. Safe to call again.</summary>
    public static async Task PrepareDatabaseAsync(this IDbContextFactory<StudioDbContext> factory, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Database.MigrateAsync(ct);
        await db.Database.ExecuteSqlRawAsync(SqlitePragmas.PerDatabase, ct);
    }

    /// <summary>Writes every WAL page back into the main database file (before a restart or an update).</summary>
    public static async Task CheckpointAsync(this IDbContextFactory<StudioDbContext> factory, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);", ct);
    }
}
