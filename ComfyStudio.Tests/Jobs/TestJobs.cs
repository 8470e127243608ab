using System.Collections.Concurrent;
using Hangfire;
using Hangfire.Common;

namespace ComfyStudio.Tests.Jobs;

/// <summary>Jobs the storage tests run; each records its runs under a tag the test chose.</summary>
public static class TestJobs
{
    private static readonly ConcurrentDictionary<string, int> Runs = new();
    private static readonly ConcurrentDictionary<string, int> Running = new();
    private static readonly ConcurrentDictionary<string, int> MostAtOnce = new();

    public static int RunsOf(string tag) => Runs.GetValueOrDefault(tag);
    public static int MostAtOnceOf(string tag) => MostAtOnce.GetValueOrDefault(tag);

    public static void Record(string tag) => Runs.AddOrUpdate(tag, 1, (_, n) => n + 1);

    public static void Sleep(string tag, int milliseconds)
    {
        var now = Running.AddOrUpdate(tag, 1, (_, n) => n + 1);
        MostAtOnce.AddOrUpdate(tag, now, (_, n) => Math.Max(n, now));
        Thread.Sleep(milliseconds);
        Running.AddOrUpdate(tag, 0, (_, n) => n - 1);
        Record(tag);
    }

    /// <summary>Runs until <see cref="Allowed"/> holds its tag (at most a minute): a job that stays Processing.</summary>
    public static void HoldUntilReleased(string tag)
    {
        var until = DateTime.UtcNow.AddMinutes(1);
        while (!Allowed.ContainsKey(tag) && DateTime.UtcNow < until) Thread.Sleep(20);
        Record(tag);
    }

    /// <summary>Fails its first run and succeeds on the retry.</summary>
    [AutomaticRetry(Attempts = 1, DelaysInSeconds = [1])]
    public static void FailOnce(string tag)
    {
        Record(tag);
        if (RunsOf(tag) == 1) throw new InvalidOperationException("first run fails on purpose");
    }

    /// <summary>Fails every time and is not retried.</summary>
    [AutomaticRetry(Attempts = 0)]
    public static void FailAlways(string tag)
    {
        Record(tag);
        throw new InvalidOperationException("fails on purpose");
    }

    /// <summary>Fails and waits in the retries set for a retry an hour away.</summary>
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [3600])]
    public static void FailAndWait(string tag)
    {
        Record(tag);
        throw new InvalidOperationException("fails on purpose");
    }

    /// <summary>Fails until told to succeed (the requeue test flips it).</summary>
    [AutomaticRetry(Attempts = 0)]
    public static void FailUntilAllowed(string tag)
    {
        Record(tag);
        if (!Allowed.ContainsKey(tag)) throw new InvalidOperationException("not allowed yet");
    }

    public static readonly ConcurrentDictionary<string, bool> Allowed = new();

    /// <summary>
    /// A Hangfire server with its own job activator: app hosts in the same test process replace the global
    /// one with theirs, which stops working once that host is disposed.
    /// </summary>
    public static BackgroundJobServer Server(JobStorage storage, BackgroundJobServerOptions options)
    {
        var filters = JobFilterProviders.Providers;
#pragma warning disable CS0618 // the one public way to give a server its own activator
        return new BackgroundJobServer(options, storage, [], filters, new JobActivator(),
            new Hangfire.Client.BackgroundJobFactory(filters), new Hangfire.Server.BackgroundJobPerformer(filters, new JobActivator()),
            new Hangfire.States.BackgroundJobStateChanger(filters));
#pragma warning restore CS0618
    }

    public static string NewTag() => Guid.NewGuid().ToString("n");

    public static void WaitFor(Func<bool> condition, string what, int seconds = 20)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("Timed out waiting for " + what);
            Thread.Sleep(20);
        }
    }
}
