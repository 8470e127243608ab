using System.Net;
using ComfyStudio.Services.Auth;
using ComfyStudio.Services.Data;
using ComfyStudio.Tests.Infrastructure;
using Hangfire;

namespace ComfyStudio.Tests.Auth;

/// <summary>A host started with no API_KEY at all, on a data folder it may share with a second host.</summary>
public sealed class NoKeyFactory(string folder) : StudioFactory
{
    /// <summary>The shared data folder (owned by the test, not deleted with this host).</summary>
    public string Folder => folder;
    protected override string ConfiguredKey => "";

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("STUDIO_DIR", Folder);
    }
}

public sealed class FirstStartTests
{
    [Fact]
    public async Task Without_api_key_a_strong_key_is_generated_stored_kept_across_restarts_and_never_logged()
    {
        string key;
        var folder = TestPaths.NewTempDir("restart");
        await using (var first = new NoKeyFactory(folder))
        {
            _ = first.Server;
            var store = first.Services.GetRequiredService<ApiKeyStore>();
            Assert.Equal("generated", store.PrimarySource);
            key = store.PrimaryKey;
            Assert.StartsWith("cs_", key);
            Assert.True(key.Length >= 40);
            Assert.Equal(HttpStatusCode.OK, (await first.CreateKeyClient(key).GetAsync("/api/admin/events")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await first.CreateKeyClient("changeme").GetAsync("/api/admin/events")).StatusCode);
        }

        await using (var second = new NoKeyFactory(folder))
        {
            _ = second.Server;
            Assert.Equal(key, second.Services.GetRequiredService<ApiKeyStore>().PrimaryKey);
            Assert.Equal(HttpStatusCode.OK, (await second.CreateKeyClient(key).GetAsync("/api/admin/events")).StatusCode);
            await using var db = await second.Services.GetRequiredService<IDbContextFactory<StudioDbContext>>().CreateDbContextAsync();
            Assert.Equal(1, await db.Settings.CountAsync(s => s.Key == ApiKeyStore.GeneratedPrimaryKeySetting));
        }

        foreach (var log in Directory.GetFiles(Path.Combine(folder, "logs")))
            Assert.DoesNotContain(key, await File.ReadAllTextAsync(log));
        TestPaths.TryDelete(folder);
    }

    [Fact]
    public async Task Hangfire_runs_jobs_in_the_app()
    {
        await using var factory = new StudioFactory();
        _ = factory.Server;
        var jobs = factory.Services.GetRequiredService<IBackgroundJobClient>();
        var marker = Path.Combine(factory.DataDir, "job-ran.txt");
        jobs.Enqueue(() => File.WriteAllText(marker, "ok"));
        for (var i = 0; i < 100 && !File.Exists(marker); i++) await Task.Delay(100);
        Assert.True(File.Exists(marker), "the enqueued job ran");
    }
}
