using Microsoft.Data.Sqlite;

namespace ComfyStudio.Services.Jobs.Sqlite;

/// <summary>
/// One of the storage's open connections with the statements it has prepared. It serves one operation at a time
/// and is never shared across threads; between operations it rests in the storage's pool.
/// </summary>
internal sealed class PooledConnection(SqliteConnection connection) : IDisposable
{
    private const int MaxStatements = 256;
    private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inUse = new(StringComparer.Ordinal);

    public SqliteConnection Connection => connection;

    /// <summary>The prepared command for this SQL, or a one-off when that command is busy (a query inside a query).</summary>
    public SqliteCommand Rent(string sql, SqliteTransaction? transaction)
    {
        SqliteCommand command;
        if (!_inUse.Add(sql))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
        }
        else if (!_prepared.TryGetValue(sql, out command!))
        {
            if (_prepared.Count >= MaxStatements) Forget();
            command = connection.CreateCommand();
            command.CommandText = sql;
            _prepared[sql] = command;
        }
        command.Parameters.Clear();
        command.Transaction = transaction;
        return command;
    }

    public void Return(SqliteCommand command)
    {
        if (_prepared.TryGetValue(command.CommandText, out var kept) && ReferenceEquals(kept, command))
            _inUse.Remove(command.CommandText);
        else
            command.Dispose();
    }

    private void Forget()
    {
        foreach (var (sql, command) in _prepared.Where(p => !_inUse.Contains(p.Key)).ToList())
        {
            command.Dispose();
            _prepared.Remove(sql);
        }
    }

    public void Dispose()
    {
        foreach (var command in _prepared.Values) command.Dispose();
        _prepared.Clear();
        connection.Dispose();
    }
}

/// <summary>
/// One storage operation on one rented connection (and, for writes, its <c>BEGIN IMMEDIATE</c> transaction).
/// </summary>
internal sealed class SqliteSession(PooledConnection pooled, SqliteTransaction? transaction) : IDisposable
{
    public int Exec(string sql, params (string, object?)[] args)
    {
        var cmd = Command(sql, args);
        try { return cmd.ExecuteNonQuery(); }
        finally { pooled.Return(cmd); }
    }

    public object? Scalar(string sql, params (string, object?)[] args)
    {
        var cmd = Command(sql, args);
        try
        {
            var value = cmd.ExecuteScalar();
            return value is DBNull ? null : value;
        }
        finally { pooled.Return(cmd); }
    }

    public long Long(string sql, params (string, object?)[] args) => Scalar(sql, args) is long v ? v : 0;

    public List<T> Query<T>(string sql, Func<SqliteDataReader, T> map, params (string, object?)[] args)
    {
        var cmd = Command(sql, args);
        try
        {
            using var reader = cmd.ExecuteReader();
            var rows = new List<T>();
            while (reader.Read()) rows.Add(map(reader));
            return rows;
        }
        finally { pooled.Return(cmd); }
    }

    public T? Single<T>(string sql, Func<SqliteDataReader, T> map, params (string, object?)[] args) where T : class =>
        Query(sql, map, args).FirstOrDefault();

    private SqliteCommand Command(string sql, (string Name, object? Value)[] args)
    {
        var cmd = pooled.Rent(sql, transaction);
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    public void Commit() => transaction?.Commit();

    /// <summary>Ends the operation; an uncommitted transaction rolls back.</summary>
    public void Dispose() => transaction?.Dispose();
}

/// <summary>UTC times as stored: Unix milliseconds.</summary>
internal static class DbTime
{
    public static long Of(DateTime utc) => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    public static long In(TimeSpan span) => Now + (long)span.TotalMilliseconds;
    public static DateTime ToUtc(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime;
    public static DateTime? ToUtc(object? ms) => ms is long v ? ToUtc(v) : null;

    public static DateTime? NullableUtc(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : ToUtc(reader.GetInt64(ordinal));

    public static string? NullableString(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>Job ids are integers; anything else (a hand-typed dashboard URL) names no job.</summary>
    public static bool TryJobId(string? id, out long value) =>
        long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value) && value > 0;
}
