using ComfyStudio.Services.Jobs.Sqlite;
using ComfyStudio.Tests.Infrastructure;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.States;
using Hangfire.Storage;
using Hangfire.Storage.Monitoring;

namespace ComfyStudio.Tests.Jobs;

/// <summary>
/// One suite, run against the SQLite storage and against Hangfire's own in-memory storage, the reference
/// behaviour: both must give the same results through Hangfire's real client, server and monitoring API.
/// </summary>
public abstract class JobStorageConformance : IDisposable
{
    protected abstract JobStorage CreateStorage();

    private readonly List<IDisposable> _owned = [];

    protected (JobStorage Storage, BackgroundJobClient Client) Start()
    {
        var storage = CreateStorage();
        if (storage is IDisposable d) _owned.Add(d);
        _owned.Insert(0, TestJobs.Server(storage, new BackgroundJobServerOptions
        {
            WorkerCount = 4,
            SchedulePollingInterval = TimeSpan.FromMilliseconds(100),
            ServerName = "conformance-" + TestJobs.NewTag()[..6],
        }));
        return (storage, new BackgroundJobClient(storage));
    }

    public void Dispose()
    {
        foreach (var owned in _owned) owned.Dispose();
        GC.SuppressFinalize(this);
    }

    internal static string? StateOf(JobStorage storage, string id)
    {
        using var connection = storage.GetConnection();
        return connection.GetStateData(id)?.Name;
    }

    internal static void WaitForState(JobStorage storage, string id, string state) =>
        TestJobs.WaitFor(() => StateOf(storage, id) == state, $"job {id} to be {state} (it is {StateOf(storage, id)})");

    [Fact]
    public void An_enqueued_job_runs_and_succeeds()
    {
        var (storage, client) = Start();
        var tag = TestJobs.NewTag();
        var id = client.Enqueue(() => TestJobs.Record(tag));
        WaitForState(storage, id, SucceededState.StateName);
        Assert.Equal(1, TestJobs.RunsOf(tag));
        var details = storage.GetMonitoringApi().JobDetails(id);
        Assert.Equal(["Succeeded", "Processing", "Enqueued"], details.History.Select(h => h.StateName));
        Assert.Equal(nameof(TestJobs.Record), details.Job.Method.Name);
        Assert.Equal(1, storage.GetMonitoringApi().GetStatistics().Succeeded);
    }

    [Fact]
    public void A_scheduled_job_waits_then_runs()
    {
        var (storage, client) = Start();
        var tag = TestJobs.NewTag();
        var id = client.Schedule(() => TestJobs.Record(tag), TimeSpan.FromSeconds(1));
        Assert.Equal(ScheduledState.StateName, StateOf(storage, id));
        Assert.Equal(1, storage.GetMonitoringApi().ScheduledCount());
        WaitForState(storage, id, SucceededState.StateName);
        Assert.Equal(1, TestJobs.RunsOf(tag));
    }

    [Fact]
    public void A_recurring_job_is_listed_triggered_and_fired_by_its_schedule()
    {
        var (storage, _) = Start();
        var manager = new RecurringJobManager(storage);
        var triggered = TestJobs.NewTag();
        manager.AddOrUpdate("conformance-yearly", () => TestJobs.Record(triggered), Cron.Yearly());
        var id = manager.TriggerJob("conformance-yearly");
        WaitForState(storage, id, SucceededState.StateName);
        Assert.Equal(1, TestJobs.RunsOf(triggered));

        var everySecond = TestJobs.NewTag();
        manager.AddOrUpdate("conformance-every-second", () => TestJobs.Record(everySecond), "* * * * * *");
        TestJobs.WaitFor(() => TestJobs.RunsOf(everySecond) >= 1, "the recurring job to fire by itself");

        using var connection = storage.GetConnection();
        Assert.Equal(2, connection.GetRecurringJobs().Count);
        Assert.Equal(2, storage.GetMonitoringApi().GetStatistics().Recurring);
        manager.RemoveIfExists("conformance-every-second");
        Assert.Single(connection.GetRecurringJobs());
    }

    [Fact]
    public void A_failed_job_is_retried_and_then_succeeds()
    {
        var (storage, client) = Start();
        var tag = TestJobs.NewTag();
        var id = client.Enqueue(() => TestJobs.FailOnce(tag));
        WaitForState(storage, id, SucceededState.StateName);
        Assert.Equal(2, TestJobs.RunsOf(tag));
        var history = storage.GetMonitoringApi().JobDetails(id).History.Select(h => h.StateName).Reverse().ToArray();
        Assert.Equal(["Enqueued", "Processing", "Failed", "Scheduled", "Enqueued", "Processing", "Succeeded"], history);
    }

    [Fact]
    public void A_job_waiting_for_its_retry_is_in_the_retries_set()
    {
        var (storage, client) = Start();
        var tag = TestJobs.NewTag();
        var id = client.Enqueue(() => TestJobs.FailAndWait(tag));
        WaitForState(storage, id, ScheduledState.StateName);
        Assert.Equal(1, storage.GetMonitoringApi().GetStatistics().Retries);
        using var connection = storage.GetConnection();
        Assert.Contains(id, connection.GetAllItemsFromSet("retries"));
    }

    [Fact]
    public void A_continuation_runs_after_its_parent()
    {
        var (storage, client) = Start();
        var parentTag = TestJobs.NewTag();
        var childTag = TestJobs.NewTag();
        // Scheduled far off, then started by hand: a loaded machine cannot run the parent before the child is checked.
        var parent = client.Schedule(() => TestJobs.Record(parentTag), TimeSpan.FromHours(1));
        var child = client.ContinueJobWith(parent, () => TestJobs.Record(childTag));
        Assert.Equal(AwaitingState.StateName, StateOf(storage, child));
        Assert.True(client.Requeue(parent));
        WaitForState(storage, child, SucceededState.StateName);
        Assert.Equal(1, TestJobs.RunsOf(parentTag));
        Assert.Equal(1, TestJobs.RunsOf(childTag));
    }

    [Fact]
    public void A_deleted_job_never_runs()
    {
        var (storage, client) = Start();
        var tag = TestJobs.NewTag();
        var id = client.Schedule(() => TestJobs.Record(tag), TimeSpan.FromSeconds(1));
        Assert.True(client.Delete(id));
        Assert.Equal(DeletedState.StateName, StateOf(storage, id));
        Thread.Sleep(1500);
        Assert.Equal(0, TestJobs.RunsOf(tag));
        var monitor = storage.GetMonitoringApi();
        Assert.Equal(1, monitor.DeletedListCount());
        Assert.Equal(0, monitor.ScheduledCount());
    }

    [Fact]
    public void A_failed_job_requeued_runs_again()
    {
        var (storage, client) = Start();
        var tag = TestJobs.NewTag();
        var id = client.Enqueue(() => TestJobs.FailUntilAllowed(tag));
        WaitForState(storage, id, FailedState.StateName);
        Assert.Equal(1, storage.GetMonitoringApi().FailedCount());
        TestJobs.Allowed[tag] = true;
        Assert.True(client.Requeue(id));
        WaitForState(storage, id, SucceededState.StateName);
        Assert.Equal(2, TestJobs.RunsOf(tag));
        Assert.Equal(0, storage.GetMonitoringApi().FailedCount());
    }

    [Fact]
    public void Job_parameters_and_an_unknown_or_malformed_id_behave_alike()
    {
        var (storage, client) = Start();
        var id = client.Schedule(() => TestJobs.Record(TestJobs.NewTag()), TimeSpan.FromHours(1));
        using var connection = storage.GetConnection();
        connection.SetJobParameter(id, "note", "\"kept\"");
        Assert.Equal("\"kept\"", connection.GetJobParameter(id, "note"));
        Assert.Null(connection.GetJobParameter(id, "missing"));
        Assert.Null(connection.GetJobData("999999"));
        Assert.Null(storage.GetMonitoringApi().JobDetails("999999"));
        Assert.Null(connection.GetStateData("999999"));
    }
}

public sealed class SqliteStorageConformance : JobStorageConformance
{
    private readonly string _dir = TestPaths.NewTempDir("jobs");

    protected override JobStorage CreateStorage() => new SqliteJobStorage(Path.Combine(_dir, "jobs.db"));

    [Fact]
    public void A_malformed_job_id_names_no_job()
    {
        var storage = (SqliteJobStorage)CreateStorage();
        using var _ = storage;
        using var connection = storage.GetConnection();
        Assert.Null(connection.GetJobData("abc"));
        Assert.Null(connection.GetJobData("-1"));
        Assert.Null(storage.GetMonitoringApi().JobDetails("1; DROP TABLE job"));
    }
}

public sealed class InMemoryStorageConformance : JobStorageConformance
{
    protected override JobStorage CreateStorage() => new InMemoryStorage();
}

/// <summary>The same scenario on both storages leaves the dashboard's statistics and lists equal.</summary>
public sealed class JobStorageStatisticsTests
{
    [Fact]
    public void Dashboard_statistics_are_equal_after_the_same_scenario()
    {
        var dir = TestPaths.NewTempDir("jobs");
        using var sqlite = new SqliteJobStorage(Path.Combine(dir, "jobs.db"));
        var fromSqlite = RunScenario(sqlite);
        using var memory = new InMemoryStorage();
        var fromMemory = RunScenario(memory);
        Assert.Equal(fromMemory, fromSqlite);
    }

    private static Summary RunScenario(JobStorage storage)
    {
        using var server = TestJobs.Server(storage, new BackgroundJobServerOptions
        {
            WorkerCount = 2,
            SchedulePollingInterval = TimeSpan.FromMilliseconds(100),
        });
        var client = new BackgroundJobClient(storage);
        var manager = new RecurringJobManager(storage);
        var done = new List<string>
        {
            client.Enqueue(() => TestJobs.Record(TestJobs.NewTag())),
            client.Enqueue(() => TestJobs.Record(TestJobs.NewTag())),
        };
        var failed = client.Enqueue(() => TestJobs.FailAlways(TestJobs.NewTag()));
        var retrying = client.Enqueue(() => TestJobs.FailAndWait(TestJobs.NewTag()));
        var scheduled = client.Schedule(() => TestJobs.Record(TestJobs.NewTag()), TimeSpan.FromHours(1));
        var awaiting = client.ContinueJobWith(scheduled, () => TestJobs.Record(TestJobs.NewTag()));
        var deleted = client.Schedule(() => TestJobs.Record(TestJobs.NewTag()), TimeSpan.FromHours(1));
        client.Delete(deleted);
        manager.AddOrUpdate("statistics-recurring", () => TestJobs.Record("never"), Cron.Yearly());

        foreach (var id in done) JobStorageConformance.WaitForState(storage, id, SucceededState.StateName);
        JobStorageConformance.WaitForState(storage, failed, FailedState.StateName);
        JobStorageConformance.WaitForState(storage, retrying, ScheduledState.StateName);

        var monitor = storage.GetMonitoringApi();
        var stats = monitor.GetStatistics();
        return new Summary(
            stats.Enqueued, stats.Scheduled, stats.Processing, stats.Succeeded, stats.Failed, stats.Deleted,
            stats.Recurring, stats.Retries ?? -1, stats.Awaiting ?? -1, stats.Servers, stats.Queues,
            monitor.ScheduledCount(), monitor.FailedCount(), monitor.SucceededListCount(), monitor.DeletedListCount(),
            monitor.ProcessingCount(), monitor.EnqueuedCount("default"), monitor.FetchedCount("default"),
            monitor.SucceededByDatesCount().Values.Sum(), monitor.FailedByDatesCount().Values.Sum(),
            monitor.HourlySucceededJobs().Values.Sum(), monitor.HourlyFailedJobs().Values.Sum(),
            string.Join(",", monitor.JobDetails(failed).History.Select(h => h.StateName)),
            monitor.JobDetails(awaiting).History.First().StateName,
            monitor.ScheduledJobs(0, 10).Count, monitor.SucceededJobs(0, 10).Count, monitor.FailedJobs(0, 10).Count,
            monitor.DeletedJobs(0, 10).Count, string.Join(",", monitor.Queues().Select(q => q.Name)));
    }

    private sealed record Summary(
        long Enqueued, long Scheduled, long Processing, long Succeeded, long Failed, long Deleted,
        long Recurring, long Retries, long Awaiting, long Servers, long Queues,
        long ScheduledCount, long FailedCount, long SucceededListCount, long DeletedListCount,
        long ProcessingCount, long EnqueuedDefault, long FetchedDefault,
        long SucceededByDates, long FailedByDates, long HourlySucceeded, long HourlyFailed,
        string FailedHistory, string AwaitingState,
        int ScheduledListed, int SucceededListed, int FailedListed, int DeletedListed, string QueueNames);
}
