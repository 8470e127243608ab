// Enqueue-to-start latency and throughput of empty jobs: the SQLite job storage against Hangfire's in-memory storage,
// each through Hangfire's real client and server. Usage: JobStorageBench [latencySamples] [throughputJobs] [workers]
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ComfyStudio.Services.Jobs.Sqlite;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.Logging;

LogProvider.SetCurrentLogProvider(null);
var samples = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300;
var jobs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5000;
var workers = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 8;
GlobalConfiguration.Configuration.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
    .UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings();

var dir = Path.Combine(Path.GetTempPath(), "comfystudio-bench-" + Guid.NewGuid().ToString("n"));
try
{
    var memory = Measure("in-memory", () => new InMemoryStorage());
    var sqlite = Measure("SQLite", () => new SqliteJobStorage(Path.Combine(dir, "jobs.db")));

    Console.WriteLine();
    Console.WriteLine($"Hangfire job storage: {samples} sequential jobs for latency, {jobs} jobs for throughput, {workers} workers, {Environment.ProcessorCount} CPUs");
    Console.WriteLine();
    Console.WriteLine("| metric                         |  in-memory |     SQLite | SQLite / in-memory |");
    Console.WriteLine("|--------------------------------|-----------:|-----------:|-------------------:|");
    Row("enqueue-to-start latency p50 ms", memory.P50, sqlite.P50);
    Row("enqueue-to-start latency p95 ms", memory.P95, sqlite.P95);
    Row("throughput, jobs/s", memory.PerSecond, sqlite.PerSecond);
    Console.WriteLine();
    var ratio = sqlite.P50 / memory.P50;
    Console.WriteLine(ratio <= 2
        ? $"Goal met: SQLite p50 latency is {ratio:0.00}x the in-memory storage's (goal: within 2x)."
        : $"Goal missed: SQLite p50 latency is {ratio:0.00}x the in-memory storage's (goal: within 2x).");
}
finally
{
    try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
}
return;

void Row(string name, double memory, double sqlite) =>
    Console.WriteLine($"| {name,-30} | {memory,10:0.00} | {sqlite,10:0.00} | {sqlite / memory,17:0.00}x |");

Result Measure(string name, Func<JobStorage> create)
{
    var storage = create();
    using var server = new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = workers, ServerName = "bench-" + name }, storage);
    var client = new BackgroundJobClient(storage);
    Console.Error.WriteLine($"{name}: warming up");
    for (var i = 0; i < 20; i++) Probe.Wait(client, TimeSpan.FromSeconds(30));

    Console.Error.WriteLine($"{name}: latency");
    var latencies = new List<double>(samples);
    for (var i = 0; i < samples; i++) latencies.Add(Probe.Wait(client, TimeSpan.FromSeconds(30)).TotalMilliseconds);
    latencies.Sort();

    Console.Error.WriteLine($"{name}: throughput");
    Probe.Reset(jobs);
    var clock = Stopwatch.StartNew();
    Parallel.For(0, jobs, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ => client.Enqueue(() => Probe.Empty()));
    if (!Probe.AllDone.Wait(TimeSpan.FromMinutes(5))) throw new TimeoutException($"{name}: jobs did not finish");
    var perSecond = jobs / clock.Elapsed.TotalSeconds;
    (storage as IDisposable)?.Dispose();
    return new Result(latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.95)], perSecond);
}

internal sealed record Result(double P50, double P95, double PerSecond);

public static class Probe
{
    private static readonly ConcurrentDictionary<string, (Stopwatch Clock, TaskCompletionSource<TimeSpan> Started)> Waiting = new();
    private static int _left;
    public static ManualResetEventSlim AllDone { get; private set; } = new();

    public static TimeSpan Wait(IBackgroundJobClient client, TimeSpan timeout)
    {
        var id = Guid.NewGuid().ToString("n");
        var started = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        Waiting[id] = (Stopwatch.StartNew(), started);
        client.Enqueue(() => Started(id));
        if (!started.Task.Wait(timeout)) throw new TimeoutException("the job did not start");
        return started.Task.Result;
    }

    public static void Started(string id)
    {
        if (Waiting.TryRemove(id, out var probe)) probe.Started.TrySetResult(probe.Clock.Elapsed);
    }

    public static void Reset(int jobs)
    {
        _left = jobs;
        AllDone = new ManualResetEventSlim();
    }

    public static void Empty()
    {
        if (Interlocked.Decrement(ref _left) == 0) AllDone.Set();
    }
}
