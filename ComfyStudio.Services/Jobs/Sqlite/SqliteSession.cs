using Microsoft.Data.Sqlite;

namespace ComfyStudio.Services.Jobs.Sqlite;

/// <summary>
/// One open connection (and, for writes, its <c>BEGIN IMMEDIATE</c> transaction) for the length of one
/// storage operation. Never shared across threads and never kept: the next operation opens its own.
/// </summary>
internal sealed class SqliteSession(SqliteConnection connection, SqliteTransaction? transaction) : IDisposable
{
    public SqliteConnection Connection => connection;

    public SqliteCommand Command(string sql, params (string Name, object? Value)[] args)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = sql;
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    public int Exec(string sql, params (string, object?)[] args)
    {
        using var cmd = Command(sql, args);
        return cmd.ExecuteNonQuery();
    }

    public object? Scalar(string sql, params (string, object?)[] args)
    {
        using var cmd = Command(sql, args);
        var value = cmd.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public long Long(string sql, params (string, object?)[] args) => Scalar(sql, args) is long v ? v : 0;

    public List<T> Query<T>(string sql, Func<SqliteDataReader, T> map, params (string, object?)[] args)
    {
        using var cmd = Command(sql, args);
        using var reader = cmd.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(map(reader));
        return rows;
    }

    public T? Single<T>(string sql, Func<SqliteDataReader, T> map, params (string, object?)[] args) where T : class =>
        Query(sql, map, args).FirstOrDefault();

    public void Commit() => transaction?.Commit();

    public void Dispose()
    {
        transaction?.Dispose();
        connection.Dispose();
    }
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
