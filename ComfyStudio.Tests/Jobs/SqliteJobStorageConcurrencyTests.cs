using System.Collections.Concurrent;
using ComfyStudio.Services.Jobs.Sqlite;
using ComfyStudio.Tests.Infrastructure;
using Hangfire;
using Hangfire.States;
using Hangfire.Storage;

namespace ComfyStudio.Tests.Jobs;

/// <summary>
/// Where other SQLite storages fail: jobs taken twice, long jobs run twice, locks held by two owners, dead
/// workers' jobs stuck forever. Several storage instances on one file stand in for several processes.
/// </summary>
public sealed class SqliteJobStorageConcurrencyTests : IDisposable
{
    private readonly string _path = Path.Combine(TestPaths.NewTempDir("jobs"), "jobs.db");
    private readonly List<IDisposable> _owned = [];

    private SqliteJobStorage Storage(TimeSpan? invisibility = null, TimeSpan? lockLifetime = null)
    {
        var storage = new SqliteJobStorage(_path, new SqliteJobStorageOptions
        {
            InvisibilityTimeout = invisibility ?? TimeSpan.FromMinutes(5),
            DistributedLockLifetime = lockLifetime ?? TimeSpan.FromSeconds(30),
            QueuePollInterval = TimeSpan.FromMilliseconds(200),
        });
        _owned.Add(storage);
        return storage;
    }

    private BackgroundJobServer Server(JobStorage storage, int workers)
    {
        var server = TestJobs.Server(storage, new BackgroundJobServerOptions
        {
            WorkerCount = workers,
            SchedulePollingInterval = TimeSpan.FromMilliseconds(100),
            ServerName = "concurrency-" + TestJobs.NewTag()[..6],
        });
        _owned.Insert(0, server);
        return server;
    }

    public void Dispose()
    {
        foreach (var owned in _owned) owned.Dispose();
    }

    [Fact]
    public void Many_workers_in_several_processes_run_every_job_exactly_once()
    {
        var first = Storage();
        Server(first, 8);
        Server(Storage(), 8);
        Server(Storage(), 8);
        var client = new BackgroundJobClient(first);
        var tags = Enumerable.Range(0, 300).Select(_ => TestJobs.NewTag()).ToList();
        Parallel.ForEach(tags, new ParallelOptions { MaxDegreeOfParallelism = 8 }, tag => client.Enqueue(() => TestJobs.Record(tag)));

        TestJobs.WaitFor(() => first.GetMonitoringApi().SucceededListCount() == tags.Count, "every job to succeed", 60);
        Assert.All(tags, tag => Assert.Equal(1, TestJobs.RunsOf(tag)));
    }

    [Fact]
    public void Jobs_created_at_once_by_several_processes_get_distinct_ids_and_all_run()
    {
        var storages = new[] { Storage(), Storage(), Storage() };
        var ids = new ConcurrentBag<string>();
        var tags = new ConcurrentBag<string>();
        Parallel.For(0, 240, new ParallelOptions { MaxDegreeOfParallelism = 6 }, i =>
        {
            var tag = TestJobs.NewTag();
            tags.Add(tag);
            ids.Add(new BackgroundJobClient(storages[i % 3]).Enqueue(() => TestJobs.Record(tag)));
        });
        Assert.Equal(240, ids.Distinct().Count());

        Server(storages[0], 4);
        TestJobs.WaitFor(() => tags.All(t => TestJobs.RunsOf(t) == 1), "every job to run once", 60);
    }

    [Fact]
    public void Racing_fetches_never_take_the_same_queue_entry()
    {
        var storages = new[] { Storage(), Storage(), Storage() };
        var client = new BackgroundJobClient(storages[0]);
        var ids = Enumerable.Range(0, 200).Select(_ => client.Enqueue(() => TestJobs.Record("never-run"))).ToHashSet();
        var taken = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var threads = Enumerable.Range(0, 12).Select(i => new Thread(() =>
        {
            using var connection = storages[i % storages.Length].GetConnection();
            while (taken.Count < ids.Count && !stop.IsCancellationRequested)
            {
                using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
                try
                {
                    var fetched = connection.FetchNextJob(["default"], wait.Token);
                    taken.Add(fetched.JobId);
                    fetched.RemoveFromQueue();
                }
                catch (OperationCanceledException)
                {
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal(ids.Count, taken.Count);
        Assert.Equal(ids.OrderBy(x => x), taken.OrderBy(x => x));
    }

    [Fact]
    public void A_lock_is_held_by_one_owner_at_a_time_across_processes()
    {
        var storages = new[] { Storage(), Storage() };
        var inside = 0;
        var most = 0;
        var total = 0;
        var threads = Enumerable.Range(0, 8).Select(i => new Thread(() =>
        {
            for (var n = 0; n < 15; n++)
            {
                using var connection = storages[i % 2].GetConnection();
                using (connection.AcquireDistributedLock("contended", TimeSpan.FromSeconds(30)))
                {
                    var now = Interlocked.Increment(ref inside);
                    InterlockedMax(ref most, now);
                    var seen = total;
                    Thread.Sleep(1);
                    total = seen + 1;
                    Interlocked.Decrement(ref inside);
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal(1, most);
        Assert.Equal(8 * 15, total);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }

    [Fact]
    public void A_held_lock_times_out_for_others_is_reentrant_for_its_connection_and_survives_past_its_lifetime()
    {
        var owner = Storage(lockLifetime: TimeSpan.FromMilliseconds(500));
        var other = Storage(lockLifetime: TimeSpan.FromMilliseconds(500));
        using var ownerConnection = owner.GetConnection();
        using var held = ownerConnection.AcquireDistributedLock("resource", TimeSpan.FromSeconds(1));
        using (ownerConnection.AcquireDistributedLock("resource", TimeSpan.Zero)) { } // re-entered, not waited for

        Thread.Sleep(1500); // three lifetimes: only the heartbeat keeps it
        using var otherConnection = other.GetConnection();
        var refused = Assert.Throws<DistributedLockTimeoutException>(() => otherConnection.AcquireDistributedLock("resource", TimeSpan.FromMilliseconds(300)));
        Assert.Equal("resource", refused.Resource);

        held.Dispose();
        using var taken = otherConnection.AcquireDistributedLock("resource", TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void A_lock_whose_owner_died_is_taken_after_its_lifetime_and_the_dead_owner_cannot_release_it()
    {
        var dying = Storage(lockLifetime: TimeSpan.FromMilliseconds(600));
        var survivor = Storage(lockLifetime: TimeSpan.FromMilliseconds(600));
        var dyingConnection = dying.GetConnection();
        var orphan = dyingConnection.AcquireDistributedLock("orphaned", TimeSpan.FromSeconds(1));
        dying.Dispose(); // the process dies: no more heartbeats, no release

        using var connection = survivor.GetConnection();
        using var taken = connection.AcquireDistributedLock("orphaned", TimeSpan.FromSeconds(5));
        orphan.Dispose(); // the old owner's late release must not free the new owner's lock
        using var third = survivor.GetConnection();
        Assert.Throws<DistributedLockTimeoutException>(() => third.AcquireDistributedLock("orphaned", TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public void A_job_running_longer_than_the_invisibility_timeout_runs_exactly_once()
    {
        var invisibility = TimeSpan.FromMilliseconds(500);
        var first = Storage(invisibility);
        Server(first, 2);
        Server(Storage(invisibility), 2);
        var tag = TestJobs.NewTag();
        var id = new BackgroundJobClient(first).Enqueue(() => TestJobs.Sleep(tag, 3000)); // six timeouts long

        JobStorageConformance.WaitForState(first, id, SucceededState.StateName);
        Thread.Sleep(700); // a second taker would have started by now
        Assert.Equal(1, TestJobs.RunsOf(tag));
        Assert.Equal(1, TestJobs.MostAtOnceOf(tag));
        Assert.Equal(["Succeeded", "Processing", "Enqueued"], first.GetMonitoringApi().JobDetails(id).History.Select(h => h.StateName));
    }

    [Fact]
    public void A_job_whose_worker_died_is_taken_again_after_the_invisibility_timeout()
    {
        var invisibility = TimeSpan.FromSeconds(2);
        var dying = Storage(invisibility);
        var tag = TestJobs.NewTag();
        var id = new BackgroundJobClient(dying).Enqueue(() => TestJobs.Sleep(tag, 1500));
        var claimed = dying.GetConnection().FetchNextJob(["default"], CancellationToken.None);
        var claimedAt = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(id, claimed.JobId);
        dying.Dispose(); // killed mid-job: the claim is never renewed, removed or requeued

        var survivor = Storage(invisibility);
        using (var connection = survivor.GetConnection())
        {
            using var tooSoon = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            // Checked only while the claim is surely still fresh: a loaded machine may take a while to get here.
            if (claimedAt.Elapsed < invisibility - TimeSpan.FromMilliseconds(700))
                Assert.ThrowsAny<OperationCanceledException>(() => connection.FetchNextJob(["default"], tooSoon.Token));
        }
        Server(survivor, 2);
        JobStorageConformance.WaitForState(survivor, id, ProcessingState.StateName);

        claimed.RemoveFromQueue(); // the dead worker's late acknowledgement must not touch the survivor's claim
        Assert.Equal(1, survivor.GetMonitoringApi().FetchedCount("default"));
        JobStorageConformance.WaitForState(survivor, id, SucceededState.StateName);
        Assert.Equal(1, TestJobs.RunsOf(tag));
        Assert.Equal(0, survivor.GetMonitoringApi().FetchedCount("default"));
        Assert.Equal(0, survivor.GetMonitoringApi().EnqueuedCount("default"));
    }

    [Fact]
    public void A_finished_job_leaves_its_queue_in_the_commit_that_records_its_state()
    {
        var storage = Storage();
        Assert.True(storage.HasFeature(JobStorageFeatures.Transaction.RemoveFromQueue(typeof(SqliteFetchedJob))));
        var id = new BackgroundJobClient(storage).Enqueue(() => TestJobs.Record("settled"));
        using var connection = storage.GetConnection();
        var fetched = connection.FetchNextJob(["default"], CancellationToken.None);

        using (var transaction = connection.CreateWriteTransaction())
        {
            transaction.SetJobState(id, new SucceededState(null, 0, 0));
            ((JobStorageTransaction)transaction).RemoveFromQueue(fetched);
            Assert.Equal(1, storage.GetMonitoringApi().FetchedCount("default")); // nothing written before the commit
            transaction.Commit();
        }
        Assert.Equal(0, storage.GetMonitoringApi().FetchedCount("default"));
        Assert.Equal(SucceededState.StateName, connection.GetStateData(id).Name);

        fetched.Dispose(); // already settled: a worker's dispose does not put the job back
        Assert.Equal(0, storage.GetMonitoringApi().EnqueuedCount("default"));
    }

    [Fact]
    public async Task An_enqueue_wakes_an_idle_local_worker_without_waiting_for_the_poll()
    {
        var storage = new SqliteJobStorage(_path, new SqliteJobStorageOptions { QueuePollInterval = TimeSpan.FromMinutes(1) });
        _owned.Add(storage);
        using var connection = storage.GetConnection();
        var fetching = Task.Run(() => connection.FetchNextJob(["default"], CancellationToken.None));
        await Task.Delay(200); // the worker is asleep now
        var id = new BackgroundJobClient(storage).Enqueue(() => TestJobs.Record("wake"));
        var fetched = await fetching.WaitAsync(TimeSpan.FromSeconds(5)); // far below the one-minute poll
        Assert.Equal(id, fetched.JobId);
        fetched.RemoveFromQueue();
    }

    [Fact]
    public void Expired_jobs_and_values_are_removed_and_counters_aggregate_to_the_same_total()
    {
        var storage = Storage();
        using var connection = (JobStorageConnection)storage.GetConnection();
        var job = connection.CreateExpiredJob(Hangfire.Common.Job.FromExpression(() => TestJobs.Record("x")),
            new Dictionary<string, string> { ["a"] = "b" }, DateTime.UtcNow, TimeSpan.FromMilliseconds(1));
        using (var tx = connection.CreateWriteTransaction())
        {
            tx.AddToSet("expiring", "v");
            tx.IncrementCounter("total");
            tx.IncrementCounter("total");
            tx.DecrementCounter("total");
            tx.IncrementCounter("brief", TimeSpan.FromMilliseconds(1));
            tx.Commit();
        }
        using (var tx = (JobStorageTransaction)connection.CreateWriteTransaction())
        {
            tx.ExpireSet("expiring", TimeSpan.FromMilliseconds(1));
            tx.Commit();
        }
        Thread.Sleep(20);

        Assert.Equal(1, connection.GetCounter("total"));
        Assert.True(new SqliteCountersAggregator(storage).Aggregate() > 0);
        Assert.Equal(1, connection.GetCounter("total"));
        Assert.True(new SqliteExpirationManager(storage).RemoveExpired() >= 3);
        Assert.Null(connection.GetJobData(job));
        Assert.Empty(connection.GetAllItemsFromSet("expiring"));
        Assert.Equal(0, connection.GetCounter("brief"));
        Assert.Equal(1, connection.GetCounter("total"));
    }
}
