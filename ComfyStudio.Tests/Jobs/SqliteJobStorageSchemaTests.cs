using ComfyStudio.Services.Jobs.Sqlite;
using ComfyStudio.Tests.Infrastructure;
using Hangfire;
using Microsoft.Data.Sqlite;

namespace ComfyStudio.Tests.Jobs;

/// <summary>The storage creates and upgrades its own schema, and refuses a file from a newer build.</summary>
public sealed class SqliteJobStorageSchemaTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDir("jobs");
    private string DbPath => Path.Combine(_dir, "jobs.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        TestPaths.TryDelete(_dir);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={DbPath};Pooling=false");
        connection.Open();
        return connection;
    }

    private void Exec(string sql)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    [Fact]
    public void A_version_1_database_is_upgraded_in_place_keeping_its_jobs()
    {
        using (var connection = Open()) Assert.Equal(1, SqliteSchema.Upgrade(connection, target: 1));
        Exec("""
            INSERT INTO job (invocation_data, arguments, created_at) VALUES ('{}', '[]', 0);
            INSERT INTO job_queue (job_id, queue) VALUES (1, 'legacy');
            """);

        using var storage = new SqliteJobStorage(DbPath);
        Assert.Equal(SqliteSchema.Latest, storage.SchemaVersion);
        var queue = Assert.Single(storage.GetMonitoringApi().Queues());
        Assert.Equal("legacy", queue.Name);
        Assert.Equal(1, queue.Length);

        // New ids continue after the old ones.
        var created = new BackgroundJobClient(storage).Schedule(() => TestJobs.Record("upgrade"), TimeSpan.FromHours(1));
        Assert.True(long.Parse(created, CultureInfo.InvariantCulture) > 1, $"new job id {created} follows the existing job 1");

        using var again = new SqliteJobStorage(DbPath); // starting again changes nothing
        Assert.Equal(SqliteSchema.Latest, again.SchemaVersion);
    }

    [Fact]
    public void A_database_from_a_newer_build_is_refused_and_left_untouched()
    {
        using (var connection = Open()) SqliteSchema.Upgrade(connection);
        Exec($"INSERT INTO schema_version (version) VALUES ({SqliteSchema.Latest + 1});");
        var before = File.ReadAllBytes(DbPath);

        var refused = Assert.Throws<InvalidOperationException>(() => new SqliteJobStorage(DbPath));
        Assert.Contains("newer than this build", refused.Message);
        SqliteConnection.ClearAllPools();
        Assert.Equal(before, File.ReadAllBytes(DbPath));
    }

    [Fact]
    public void Committed_jobs_reach_the_database_file_itself_without_waiting_in_a_commit()
    {
        using (var storage = new SqliteJobStorage(DbPath))
        {
            var client = new BackgroundJobClient(storage);
            for (var i = 0; i < 20; i++) client.Schedule(() => TestJobs.Record("checkpoint"), TimeSpan.FromHours(1));
            // A heartbeat (every second) copies the WAL into the file; SQLite's own checkpoint is off.
            TestJobs.WaitFor(() => JobsInFileAlone() == 20, "the jobs to reach jobs.db", 10);
            client.Schedule(() => TestJobs.Record("checkpoint"), TimeSpan.FromHours(1));
        }
        Assert.Equal(21, JobsInFileAlone()); // and the last ones at shutdown
    }

    /// <summary>Jobs in a copy of jobs.db taken without its WAL: what a crash that lost the WAL would leave.</summary>
    private long JobsInFileAlone()
    {
        var copy = Path.Combine(_dir, "copy-" + Guid.NewGuid().ToString("n") + ".db");
        File.Copy(DbPath, copy);
        using var connection = new SqliteConnection($"Data Source={copy};Pooling=false");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM job";
        return (long)cmd.ExecuteScalar()!;
    }
}
