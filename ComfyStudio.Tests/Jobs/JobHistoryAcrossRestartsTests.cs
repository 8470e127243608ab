using System.Net;
using ComfyStudio.Services.Jobs.Sqlite;
using ComfyStudio.Tests.Infrastructure;
using Hangfire;
using Hangfire.States;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ComfyStudio.Tests.Jobs;

/// <summary>The app on its default job storage: jobs and their history live in jobs.db and outlive the process.</summary>
public sealed class JobHistoryAcrossRestartsTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDir("studio");

    public void Dispose() => TestPaths.TryDelete(_dir);

    /// <summary>The app on a given data folder, with or without its Hangfire server.</summary>
    private sealed class AppHost(string dataDir, bool runServer) : StudioFactory(dataDir)
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["Jobs:RunServer"] = runServer ? "true" : "false",
        };

        public JobStorage Storage => Services.GetRequiredService<JobStorage>();
        public IBackgroundJobClient Client => Services.GetRequiredService<IBackgroundJobClient>();
    }

    [Fact]
    public async Task Jobs_enqueued_before_a_restart_run_after_it_and_history_survives_on_the_dashboard()
    {
        var dir = _dir;
        var ranBefore = TestJobs.NewTag();
        string succeededBefore;
        await using (var before = new AppHost(dir, runServer: true))
        {
            Assert.IsType<SqliteJobStorage>(before.Storage);
            succeededBefore = before.Client.Enqueue(() => TestJobs.Record(ranBefore));
            JobStorageConformance.WaitForState(before.Storage, succeededBefore, SucceededState.StateName);
        }

        var waiting = Enumerable.Range(0, 3).Select(_ => TestJobs.NewTag()).ToList();
        List<string> waitingIds;
        await using (var stopped = new AppHost(dir, runServer: false))
        {
            waitingIds = waiting.Select(tag => stopped.Client.Enqueue(() => TestJobs.Record(tag))).ToList();
            Assert.Equal(3, stopped.Storage.GetMonitoringApi().EnqueuedCount("default"));
        }
        Assert.True(File.Exists(Path.Combine(dir, "database", "jobs.db")));
        Assert.All(waiting, tag => Assert.Equal(0, TestJobs.RunsOf(tag)));

        await using var after = new AppHost(dir, runServer: true);
        foreach (var id in waitingIds) JobStorageConformance.WaitForState(after.Storage, id, SucceededState.StateName);
        Assert.All(waiting, tag => Assert.Equal(1, TestJobs.RunsOf(tag)));
        Assert.Equal(1, TestJobs.RunsOf(ranBefore));

        var monitor = after.Storage.GetMonitoringApi();
        Assert.Contains(monitor.SucceededJobs(0, 50), j => j.Key == succeededBefore);
        Assert.Equal(4, monitor.GetStatistics().Succeeded);

        var browser = after.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await LoginForm.SubmitAsync(browser, StudioFactory.PrimaryKey);
        var page = await browser.GetStringAsync("/hangfire/jobs/succeeded");
        Assert.Contains($"/hangfire/jobs/details/{succeededBefore}", page);
        var details = await browser.GetAsync($"/hangfire/jobs/details/{succeededBefore}");
        Assert.Equal(HttpStatusCode.OK, details.StatusCode);
        Assert.Contains(nameof(TestJobs.Record), await details.Content.ReadAsStringAsync());
    }
}
