using ComfyStudio.Services.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace ComfyStudio.Tests.Infrastructure;

/// <summary>A real, migrated SQLite database in a throwaway folder, for service-level tests.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public string Dir { get; } = TestPaths.NewTempDir("db");
    public IDbContextFactory<StudioDbContext> Factory { get; }

    private TestDatabase()
    {
        var options = new DbContextOptionsBuilder<StudioDbContext>();
        StudioDataExtensions.Configure(options, Path.Combine(Dir, "studio.db"));
        Factory = new PooledDbContextFactory<StudioDbContext>(options.Options);
    }

    /// <summary>A context on the database of a host's data folder (the host stopped or running).</summary>
    public static StudioDbContext Open(string dataDir)
    {
        var options = new DbContextOptionsBuilder<StudioDbContext>();
        StudioDataExtensions.Configure(options, Path.Combine(dataDir, "database", "studio.db"));
        return new StudioDbContext(options.Options);
    }

    public static async Task<TestDatabase> CreateAsync()
    {
        var db = new TestDatabase();
        await db.Factory.PrepareDatabaseAsync();
        return db;
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestPaths.TryDelete(Dir);
        return ValueTask.CompletedTask;
    }
}
