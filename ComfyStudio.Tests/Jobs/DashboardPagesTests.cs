using System.Net;
using System.Text.RegularExpressions;
using ComfyStudio.Tests.Infrastructure;
using Hangfire;
using Hangfire.States;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ComfyStudio.Tests.Jobs;

/// <summary>Every page of the Hangfire dashboard works on the SQLite storage, with jobs in every state.</summary>
public sealed class DashboardPagesTests(StudioFactory factory) : IClassFixture<StudioFactory>
{
    [Fact]
    public async Task Every_dashboard_page_renders_with_jobs_in_every_state()
    {
        var storage = factory.Services.GetRequiredService<JobStorage>();
        var client = factory.Services.GetRequiredService<IBackgroundJobClient>();
        var recurring = factory.Services.GetRequiredService<IRecurringJobManager>();
        var succeeded = client.Enqueue(() => TestJobs.Record(TestJobs.NewTag()));
        var failed = client.Enqueue(() => TestJobs.FailAlways(TestJobs.NewTag()));
        var retrying = client.Enqueue(() => TestJobs.FailAndWait(TestJobs.NewTag()));
        var held = TestJobs.NewTag();
        var processing = client.Enqueue(() => TestJobs.HoldUntilReleased(held));
        var scheduled = client.Schedule(() => TestJobs.Record(TestJobs.NewTag()), TimeSpan.FromHours(1));
        var awaiting = client.ContinueJobWith(scheduled, () => TestJobs.Record(TestJobs.NewTag()));
        var deleted = client.Schedule(() => TestJobs.Record(TestJobs.NewTag()), TimeSpan.FromHours(1));
        client.Delete(deleted);
        recurring.AddOrUpdate("dashboard-recurring", () => TestJobs.Record("never"), Cron.Yearly());
        JobStorageConformance.WaitForState(storage, succeeded, SucceededState.StateName);
        JobStorageConformance.WaitForState(storage, failed, FailedState.StateName);
        JobStorageConformance.WaitForState(storage, retrying, ScheduledState.StateName);
        JobStorageConformance.WaitForState(storage, processing, ProcessingState.StateName);

        var browser = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await LoginForm.SubmitAsync(browser, StudioFactory.PrimaryKey);
        var pages = new Dictionary<string, string?>
        {
            ["/hangfire"] = null,
            ["/hangfire/jobs/enqueued"] = null,
            ["/hangfire/jobs/enqueued/default"] = null,
            ["/hangfire/jobs/enqueued/fetched/default"] = processing,
            ["/hangfire/jobs/scheduled"] = scheduled,
            ["/hangfire/jobs/processing"] = processing,
            ["/hangfire/jobs/succeeded"] = succeeded,
            ["/hangfire/jobs/failed"] = failed,
            ["/hangfire/jobs/deleted"] = deleted,
            ["/hangfire/jobs/awaiting"] = awaiting,
            ["/hangfire/recurring"] = "dashboard-recurring",
            ["/hangfire/retries"] = retrying,
            ["/hangfire/servers"] = null,
            [$"/hangfire/jobs/details/{failed}"] = "fails on purpose",
            [$"/hangfire/jobs/details/{awaiting}"] = null,
            ["/hangfire/jobs/details/not-a-job"] = null,
        };
        foreach (var (path, expected) in pages)
        {
            var response = await browser.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} gave {(int)response.StatusCode}");
            if (expected is not null) Assert.True(body.Contains(expected), $"{path} shows {expected}");
        }

        // The realtime and history graphs poll this endpoint, with the token the page carries.
        var home = await browser.GetStringAsync("/hangfire");
        var token = Regex.Match(home, "<meta name=\"csrf-token\" content=\"([^\"]+)\"").Groups[1].Value;
        var poll = new HttpRequestMessage(HttpMethod.Post, "/hangfire/stats")
        {
            Content = new FormUrlEncodedContent([new("metrics[]", "succeeded:count"), new("metrics[]", "failed:count")]),
        };
        poll.Headers.Add("RequestVerificationToken", token);
        var stats = await browser.SendAsync(poll);
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.Contains("succeeded:count", await stats.Content.ReadAsStringAsync());

        TestJobs.Allowed[held] = true;
        JobStorageConformance.WaitForState(storage, processing, SucceededState.StateName);
    }
}
