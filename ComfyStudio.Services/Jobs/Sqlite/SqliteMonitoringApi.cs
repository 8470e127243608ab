using System.Globalization;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using Hangfire.Storage.Monitoring;
using Microsoft.Data.Sqlite;

namespace ComfyStudio.Services.Jobs.Sqlite;

/// <summary>
/// What the Hangfire dashboard reads. Each call is one read on its own connection. Lists follow Hangfire.InMemory:
/// jobs selected by their current state, ordered by when they entered it (oldest first, except succeeded, failed
/// and deleted: newest first); times shown are the state's creation times.
/// </summary>
internal sealed class SqliteMonitoringApi(SqliteJobStorage storage) : JobStorageMonitor
{
    // Column 0 is the job id; these follow it in every job list query.
    private const string JobColumns = "j.invocation_data, j.arguments, j.state_name, st.reason, st.created_at, st.data";

    // ---- statistics and counts --------------------------------------------------------------------------

    public override StatisticsDto GetStatistics() => storage.Read(s => new StatisticsDto
    {
        Enqueued = CountInState(s, EnqueuedState.StateName),
        Scheduled = CountInState(s, ScheduledState.StateName),
        Processing = CountInState(s, ProcessingState.StateName),
        Failed = CountInState(s, FailedState.StateName),
        Awaiting = CountInState(s, AwaitingState.StateName),
        Succeeded = SqliteStorageConnection.CounterValue(s, "stats:succeeded"),
        Deleted = SqliteStorageConnection.CounterValue(s, "stats:deleted"),
        Recurring = s.Long("SELECT COUNT(*) FROM set_item WHERE key = 'recurring-jobs'"),
        Retries = s.Long("SELECT COUNT(*) FROM set_item WHERE key = 'retries'"),
        Servers = s.Long("SELECT COUNT(*) FROM server"),
        Queues = s.Long("SELECT COUNT(*) FROM queue"),
    });

    public override long ScheduledCount() => CountInState(ScheduledState.StateName);
    public override long FailedCount() => CountInState(FailedState.StateName);
    public override long ProcessingCount() => CountInState(ProcessingState.StateName);
    public override long SucceededListCount() => CountInState(SucceededState.StateName);
    public override long DeletedListCount() => CountInState(DeletedState.StateName);
    public override long AwaitingCount() => CountInState(AwaitingState.StateName);

    public override long EnqueuedCount(string queue) => storage.Read(s =>
        s.Long("SELECT COUNT(*) FROM job_queue WHERE queue = $queue AND fetched_at IS NULL", ("$queue", queue)));

    public override long FetchedCount(string queue) => storage.Read(s =>
        s.Long("SELECT COUNT(*) FROM job_queue WHERE queue = $queue AND fetched_at IS NOT NULL", ("$queue", queue)));

    private long CountInState(string state) => storage.Read(s => CountInState(s, state));

    private static long CountInState(SqliteSession s, string state) =>
        s.Long("SELECT COUNT(*) FROM job WHERE state_name = $state", ("$state", state));

    // ---- graphs -----------------------------------------------------------------------------------------

    public override IDictionary<DateTime, long> SucceededByDatesCount() => Daily("succeeded");
    public override IDictionary<DateTime, long> FailedByDatesCount() => Daily("failed");
    public override IDictionary<DateTime, long> DeletedByDatesCount() => Daily("deleted");
    public override IDictionary<DateTime, long> HourlySucceededJobs() => Hourly("succeeded");
    public override IDictionary<DateTime, long> HourlyFailedJobs() => Hourly("failed");
    public override IDictionary<DateTime, long> HourlyDeletedJobs() => Hourly("deleted");

    /// <summary>Today and the six days before it, newest first, keyed by midnight UTC.</summary>
    private IDictionary<DateTime, long> Daily(string type)
    {
        var today = DateTime.UtcNow.Date;
        return Timeline(type, "yyyy-MM-dd", Enumerable.Range(0, 7).Select(i => today.AddDays(-i)));
    }

    /// <summary>The last 24 hours, newest first, keyed by the current time stepped back an hour at a time (as Hangfire does).</summary>
    private IDictionary<DateTime, long> Hourly(string type)
    {
        var now = DateTime.UtcNow;
        return Timeline(type, "yyyy-MM-dd-HH", Enumerable.Range(0, 24).Select(i => now.AddHours(-i)));
    }

    private Dictionary<DateTime, long> Timeline(string type, string format, IEnumerable<DateTime> points) => storage.Read(s =>
        points.ToDictionary(p => p, p => SqliteStorageConnection.CounterValue(s, $"stats:{type}:{p.ToString(format, CultureInfo.InvariantCulture)}")));

    // ---- queues -----------------------------------------------------------------------------------------

    public override IList<QueueWithTopEnqueuedJobsDto> Queues() => storage.Read(s =>
        s.Query("""
            SELECT n.name, COUNT(q.id) - COUNT(q.fetched_at), COUNT(q.fetched_at)
            FROM queue n LEFT JOIN job_queue q ON q.queue = n.name GROUP BY n.name ORDER BY n.name
            """,
            r => (Name: r.GetString(0), Length: r.GetInt64(1), Fetched: r.GetInt64(2)))
        .Select(q => new QueueWithTopEnqueuedJobsDto
        {
            Name = q.Name,
            Length = q.Length,
            Fetched = q.Fetched,
            FirstJobs = EnqueuedJobs(s, q.Name, 0, 5),
        })
        .ToList());

    public override JobList<EnqueuedJobDto> EnqueuedJobs(string queue, int from, int perPage) =>
        storage.Read(s => EnqueuedJobs(s, queue, from, perPage));

    private static JobList<EnqueuedJobDto> EnqueuedJobs(SqliteSession s, string queue, int from, int perPage) =>
        ToJobList(QueueRows(s, queue, fetched: false, from, perPage).Select(q => (q.Id, q.Row)), job =>
        {
            var inState = job.StateName == EnqueuedState.StateName;
            return new EnqueuedJobDto
            {
                Job = job.Job,
                InvocationData = job.InvocationData,
                LoadException = job.LoadException,
                State = job.StateName,
                InEnqueuedState = inState,
                EnqueuedAt = inState ? job.StateAt : null,
                StateData = inState ? job.StateData : null,
            };
        });

    public override JobList<FetchedJobDto> FetchedJobs(string queue, int from, int perPage) => storage.Read(s =>
        new JobList<FetchedJobDto>(QueueRows(s, queue, fetched: true, from, perPage).Select(q => KeyValuePair.Create(q.Id,
            q.Row is not { } job
                ? null!
                : new FetchedJobDto
                {
                    Job = job.Job,
                    InvocationData = job.InvocationData,
                    LoadException = job.LoadException,
                    State = job.StateName,
                    FetchedAt = q.FetchedAt,
                }))));

    /// <summary>A queue's entries in queue order; an entry whose job is gone comes back without one (the dashboard shows it as expired).</summary>
    private static List<(string Id, JobRow? Row, DateTime? FetchedAt)> QueueRows(SqliteSession s, string queue, bool fetched, int from, int count) =>
        s.Query($"""
            SELECT q.job_id, {JobColumns}, q.fetched_at
            FROM job_queue q
            LEFT JOIN job j ON j.id = q.job_id
            LEFT JOIN job_state st ON st.id = j.state_id
            WHERE q.queue = $queue AND q.fetched_at IS {(fetched ? "NOT NULL" : "NULL")}
            ORDER BY q.id LIMIT $count OFFSET $from
            """,
            r => (IdOf(r), ReadJob(r), r.NullableUtc(7)),
            ("$queue", queue), ("$count", Math.Max(0, count)), ("$from", Math.Max(0, from)));

    // ---- jobs by state ----------------------------------------------------------------------------------

    public override JobList<ProcessingJobDto> ProcessingJobs(int from, int count) => InState(ProcessingState.StateName, from, count, newestFirst: false,
        (_, job) => new ProcessingJobDto
        {
            Job = job.Job,
            InvocationData = job.InvocationData,
            LoadException = job.LoadException,
            StateData = job.StateData,
            InProcessingState = true,
            ServerId = job.StateData.GetValueOrDefault("ServerId") ?? job.StateData.GetValueOrDefault("ServerName"),
            StartedAt = job.StateAt,
        });

    public override JobList<ScheduledJobDto> ScheduledJobs(int from, int count) => InState(ScheduledState.StateName, from, count, newestFirst: false,
        (_, job) => new ScheduledJobDto
        {
            Job = job.Job,
            InvocationData = job.InvocationData,
            LoadException = job.LoadException,
            StateData = job.StateData,
            InScheduledState = true,
            EnqueueAt = JobHelper.DeserializeNullableDateTime(job.StateData.GetValueOrDefault("EnqueueAt")) ?? DateTime.MinValue,
            ScheduledAt = job.StateAt,
        });

    public override JobList<SucceededJobDto> SucceededJobs(int from, int count) => InState(SucceededState.StateName, from, count, newestFirst: true,
        (_, job) => new SucceededJobDto
        {
            Job = job.Job,
            InvocationData = job.InvocationData,
            LoadException = job.LoadException,
            StateData = job.StateData,
            InSucceededState = true,
            Result = job.StateData.GetValueOrDefault("Result"),
            TotalDuration = Number(job.StateData, "PerformanceDuration") + Number(job.StateData, "Latency"),
            SucceededAt = job.StateAt,
        });

    public override JobList<FailedJobDto> FailedJobs(int from, int count) => InState(FailedState.StateName, from, count, newestFirst: true,
        (_, job) => new FailedJobDto
        {
            Job = job.Job,
            InvocationData = job.InvocationData,
            LoadException = job.LoadException,
            StateData = job.StateData,
            InFailedState = true,
            Reason = job.Reason,
            ExceptionType = job.StateData.GetValueOrDefault("ExceptionType"),
            ExceptionMessage = job.StateData.GetValueOrDefault("ExceptionMessage"),
            ExceptionDetails = job.StateData.GetValueOrDefault("ExceptionDetails"),
            FailedAt = job.StateAt,
        });

    public override JobList<DeletedJobDto> DeletedJobs(int from, int count) => InState(DeletedState.StateName, from, count, newestFirst: true,
        (_, job) => new DeletedJobDto
        {
            Job = job.Job,
            InvocationData = job.InvocationData,
            LoadException = job.LoadException,
            StateData = job.StateData,
            InDeletedState = true,
            DeletedAt = job.StateAt,
        });

    public override JobList<AwaitingJobDto> AwaitingJobs(int from, int count) => InState(AwaitingState.StateName, from, count, newestFirst: false,
        (s, job) => new AwaitingJobDto
        {
            Job = job.Job,
            InvocationData = job.InvocationData,
            LoadException = job.LoadException,
            StateData = job.StateData,
            InAwaitingState = true,
            AwaitingAt = job.StateAt,
            ParentStateName = DbTime.TryJobId(job.StateData.GetValueOrDefault("ParentId"), out var parent)
                ? s.Scalar("SELECT state_name FROM job WHERE id = $id", ("$id", parent)) as string
                : null,
        });

    /// <summary>A page of the jobs now in <paramref name="state"/>, in the order they entered it (state ids only grow).</summary>
    private JobList<T> InState<T>(string state, int from, int count, bool newestFirst, Func<SqliteSession, JobRow, T> map) => storage.Read(s =>
        ToJobList(s.Query($"""
            SELECT j.id, {JobColumns}
            FROM job j LEFT JOIN job_state st ON st.id = j.state_id
            WHERE j.state_name = $state
            ORDER BY j.state_id {(newestFirst ? "DESC" : "ASC")} LIMIT $count OFFSET $from
            """,
            r => (IdOf(r), ReadJob(r)),
            ("$state", state), ("$count", Math.Max(0, count)), ("$from", Math.Max(0, from))),
            job => map(s, job)));

    // ---- servers and job details ------------------------------------------------------------------------

    public override IList<ServerDto> Servers() => storage.Read(s =>
        s.Query("SELECT id, data, last_heartbeat FROM server ORDER BY id", r =>
        {
            var data = r.NullableString(1) is { } json ? SerializationHelper.Deserialize<SqliteServerData>(json) : null;
            return new ServerDto
            {
                Name = r.GetString(0),
                Heartbeat = DbTime.ToUtc(r.GetInt64(2)),
                Queues = data?.Queues ?? [],
                StartedAt = data?.StartedAt ?? DateTime.MinValue,
                WorkersCount = data?.WorkerCount ?? 0,
            };
        }));

    public override JobDetailsDto? JobDetails(string jobId)
    {
        if (!DbTime.TryJobId(jobId, out var id)) return null;
        return storage.Read(s =>
        {
            var row = s.Single("SELECT invocation_data, arguments, created_at, expire_at FROM job WHERE id = $id",
                r => new { Payload = r.GetString(0), Arguments = r.NullableString(1), CreatedAt = r.GetInt64(2), ExpireAt = r.NullableUtc(3) },
                ("$id", id));
            if (row is null) return null;
            var (job, invocation, error) = LoadJob(row.Payload, row.Arguments);
            return new JobDetailsDto
            {
                Job = job,
                InvocationData = invocation,
                LoadException = error,
                CreatedAt = DbTime.ToUtc(row.CreatedAt),
                ExpireAt = row.ExpireAt,
                Properties = s.Query("SELECT name, value FROM job_parameter WHERE job_id = $id",
                    r => KeyValuePair.Create(r.GetString(0), r.NullableString(1)!), ("$id", id)).ToDictionary(StringComparer.Ordinal),
                History = s.Query("SELECT name, reason, created_at, data FROM job_state WHERE job_id = $id ORDER BY id DESC",
                    r => new StateHistoryDto
                    {
                        StateName = r.GetString(0),
                        Reason = r.NullableString(1),
                        CreatedAt = DbTime.ToUtc(r.GetInt64(2)),
                        Data = SqliteStorageConnection.StateDataOf(r.NullableString(3)),
                    },
                    ("$id", id)),
            };
        });
    }

    // ---- rows -------------------------------------------------------------------------------------------

    private sealed record JobRow(
        Job? Job, InvocationData InvocationData, JobLoadException? LoadException,
        string? StateName, string? Reason, DateTime? StateAt, Dictionary<string, string> StateData);

    private static string IdOf(SqliteDataReader r) => r.GetInt64(0).ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads <see cref="JobColumns"/>; null where a left join found no job.</summary>
    private static JobRow? ReadJob(SqliteDataReader r)
    {
        if (r.IsDBNull(1)) return null;
        var (job, invocation, error) = LoadJob(r.GetString(1), r.NullableString(2));
        return new JobRow(job, invocation, error, r.NullableString(3), r.NullableString(4), r.NullableUtc(5),
            SqliteStorageConnection.StateDataOf(r.NullableString(6)));
    }

    private static (Job? Job, InvocationData InvocationData, JobLoadException? Error) LoadJob(string payload, string? arguments)
    {
        var invocation = InvocationData.DeserializePayload(payload);
        if (!string.IsNullOrEmpty(arguments)) invocation.Arguments = arguments;
        try
        {
            return (invocation.DeserializeJob(), invocation, null);
        }
        catch (JobLoadException e)
        {
            return (null, invocation, e);
        }
    }

    /// <summary>Hangfire's job lists: a missing job is a null entry under its id.</summary>
    private static JobList<T> ToJobList<T>(IEnumerable<(string Id, JobRow? Row)> rows, Func<JobRow, T> map) =>
        new(rows.Select(x => KeyValuePair.Create(x.Id, x.Row is null ? default! : map(x.Row))));

    private static long? Number(Dictionary<string, string> data, string key) =>
        data.TryGetValue(key, out var value) && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;
}
