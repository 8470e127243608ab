using Microsoft.Data.Sqlite;

namespace ComfyStudio.Services.Jobs.Sqlite;

/// <summary>
/// The storage's tables, created and upgraded by the storage itself. Each entry of <see cref="Steps"/> is one
/// schema version; a database is brought up to the newest version in one write transaction at start.
/// All times are UTC Unix milliseconds.
/// </summary>
internal static class SqliteSchema
{
    public static readonly string[] Steps =
    [
        // Version 1.
        """
        CREATE TABLE job (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            state_id        INTEGER NULL,
            state_name      TEXT NULL,
            invocation_data TEXT NOT NULL,
            arguments       TEXT NOT NULL,
            created_at      INTEGER NOT NULL,
            expire_at       INTEGER NULL);
        CREATE INDEX ix_job_state_name ON job(state_name, id);
        CREATE INDEX ix_job_expire_at ON job(expire_at) WHERE expire_at IS NOT NULL;

        CREATE TABLE job_parameter (
            job_id INTEGER NOT NULL REFERENCES job(id) ON DELETE CASCADE,
            name   TEXT NOT NULL,
            value  TEXT NULL,
            PRIMARY KEY (job_id, name));

        CREATE TABLE job_state (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            job_id     INTEGER NOT NULL REFERENCES job(id) ON DELETE CASCADE,
            name       TEXT NOT NULL,
            reason     TEXT NULL,
            created_at INTEGER NOT NULL,
            data       TEXT NULL);
        CREATE INDEX ix_job_state_job_id ON job_state(job_id, id);

        CREATE TABLE job_queue (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            job_id      INTEGER NOT NULL,
            queue       TEXT NOT NULL,
            fetched_at  INTEGER NULL,
            fetch_token TEXT NULL);
        CREATE INDEX ix_job_queue_queue ON job_queue(queue, fetched_at, id);
        CREATE INDEX ix_job_queue_job_id ON job_queue(job_id);

        CREATE TABLE server (
            id             TEXT PRIMARY KEY,
            data           TEXT NULL,
            last_heartbeat INTEGER NOT NULL);

        CREATE TABLE hash_entry (
            id        INTEGER PRIMARY KEY AUTOINCREMENT,
            key       TEXT NOT NULL,
            field     TEXT NOT NULL,
            value     TEXT NULL,
            expire_at INTEGER NULL,
            UNIQUE (key, field));
        CREATE INDEX ix_hash_entry_expire_at ON hash_entry(expire_at) WHERE expire_at IS NOT NULL;

        CREATE TABLE list_item (
            id        INTEGER PRIMARY KEY AUTOINCREMENT,
            key       TEXT NOT NULL,
            value     TEXT NULL,
            expire_at INTEGER NULL);
        CREATE INDEX ix_list_item_key ON list_item(key, id);
        CREATE INDEX ix_list_item_expire_at ON list_item(expire_at) WHERE expire_at IS NOT NULL;

        CREATE TABLE set_item (
            id        INTEGER PRIMARY KEY AUTOINCREMENT,
            key       TEXT NOT NULL,
            value     TEXT NOT NULL,
            score     REAL NOT NULL,
            expire_at INTEGER NULL,
            UNIQUE (key, value));
        CREATE INDEX ix_set_item_key_score ON set_item(key, score);
        CREATE INDEX ix_set_item_expire_at ON set_item(expire_at) WHERE expire_at IS NOT NULL;

        CREATE TABLE counter (
            id        INTEGER PRIMARY KEY AUTOINCREMENT,
            key       TEXT NOT NULL,
            value     INTEGER NOT NULL,
            expire_at INTEGER NULL);
        CREATE INDEX ix_counter_key ON counter(key);
        CREATE INDEX ix_counter_expire_at ON counter(expire_at) WHERE expire_at IS NOT NULL;

        CREATE TABLE aggregated_counter (
            key       TEXT PRIMARY KEY,
            value     INTEGER NOT NULL,
            expire_at INTEGER NULL);
        CREATE INDEX ix_aggregated_counter_expire_at ON aggregated_counter(expire_at) WHERE expire_at IS NOT NULL;

        CREATE TABLE distributed_lock (
            resource  TEXT PRIMARY KEY,
            owner     TEXT NOT NULL,
            expire_at INTEGER NOT NULL);
        """,
        // Version 2: every queue ever used, so the dashboard keeps listing a queue once it is empty.
        """
        CREATE TABLE queue (name TEXT PRIMARY KEY);
        INSERT OR IGNORE INTO queue (name) SELECT DISTINCT queue FROM job_queue;
        """,
        // Version 3: job ids are handed out in blocks, so a job is created in the same transaction as its first
        // state. Ids continue after every id ever used (expired jobs included).
        """
        CREATE TABLE id_reservation (name TEXT PRIMARY KEY, next INTEGER NOT NULL);
        INSERT INTO id_reservation (name, next)
        SELECT 'job', MAX(IFNULL((SELECT seq FROM sqlite_sequence WHERE name = 'job'), 0), IFNULL((SELECT MAX(id) FROM job), 0)) + 1;
        """,
    ];

    public static int Latest => Steps.Length;

    /// <summary>Brings the database to the newest version; refuses a database written by a newer build.</summary>
    public static int Upgrade(SqliteConnection connection, int target = -1)
    {
        Exec(connection, null, "PRAGMA journal_mode=WAL;");
        using var tx = connection.BeginTransaction(deferred: false);
        Exec(connection, tx, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);");
        using var read = connection.CreateCommand();
        read.Transaction = tx;
        read.CommandText = "SELECT MAX(version) FROM schema_version;";
        var current = read.ExecuteScalar() is long v ? (int)v : 0;
        if (target < 0) target = Latest;
        if (current > Latest)
            throw new InvalidOperationException(
                $"The job database is at schema version {current}, newer than this build knows ({Latest}); update the app or move the file away");
        for (var version = current + 1; version <= target; version++)
        {
            Exec(connection, tx, Steps[version - 1]);
            Exec(connection, tx, $"INSERT INTO schema_version (version) VALUES ({version});");
        }
        tx.Commit();
        return Math.Max(current, target);
    }

    private static void Exec(SqliteConnection connection, SqliteTransaction? tx, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
