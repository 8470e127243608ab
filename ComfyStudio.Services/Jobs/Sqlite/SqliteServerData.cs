namespace ComfyStudio.Services.Jobs.Sqlite;

/// <summary>What a Hangfire server announces about itself; stored as JSON in <c>server.data</c>.</summary>
internal sealed class SqliteServerData
{
    public int WorkerCount { get; set; }
    public string[] Queues { get; set; } = [];
    public DateTime StartedAt { get; set; }
}
