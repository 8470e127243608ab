using ComfyStudio.Services.Auth;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ComfyStudio.Tests.Infrastructure;

/// <summary>
/// The real app in a test host with its own throwaway data folder (database, logs, keys), a known
/// primary key and, unless a test asks for the Dashboard API's numbers, rate limits out of the way.
/// </summary>
public class StudioFactory : WebApplicationFactory<Program>
{
    public const string PrimaryKey = "test-primary-key-0123456789abcdef";

    private readonly bool _ownsDataDir;

    public StudioFactory()
    {
        DataDir = TestPaths.NewTempDir("studio");
        _ownsDataDir = true;
    }

    /// <summary>A host on an existing data folder (a restart of an earlier host); the folder outlives it.</summary>
    protected StudioFactory(string dataDir) => DataDir = dataDir;

    public string DataDir { get; }
    public string ComfyUiDir => Path.Combine(DataDir, "ComfyUI");

    /// <summary>The API_KEY the host starts with (empty: none, so the app generates one).</summary>
    protected virtual string ConfiguredKey => PrimaryKey;

    /// <summary>Extra configuration (environment-variable names at the root).</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["RateLimits:Anonymous"] = "100000",
        ["RateLimits:Authenticated"] = "100000",
        // Registry syncs read the snapshot in the repository, never the network.
        ["REGISTRY_URL"] = Path.Combine(TestPaths.RepoRoot(), "registry"),
        ["Presets:SyncAtStart"] = "false", // a test host starts on the shipped snapshot; RegistrySyncTests turn it on
    };

    /// <summary>Test-only services (e.g. an extra controller).</summary>
    protected virtual void ConfigureTestServices(IServiceCollection services) { }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("STUDIO_DIR", DataDir);
        builder.UseSetting("COMFYUI_DIR", ComfyUiDir);
        builder.UseSetting("API_KEY", ConfiguredKey);
        foreach (var (k, v) in Settings) builder.UseSetting(k, v);
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<ComfyStudio.Web.Hosting.IStudioRestart, RecordingRestart>(); // never stop a shared test host
            ConfigureTestServices(services);
        });
    }

    public HttpClient CreateKeyClient(string key = PrimaryKey)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }

    public HttpClient CreateBearerClient(string key = PrimaryKey)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Forgets the failed-key count of the test client, whose requests carry no remote address.</summary>
    public void ForgetFailedKeys() => Services.GetRequiredService<LoginThrottle>().Forget("local");

    public HttpClient CreateAnonymousClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (_ownsDataDir) TestPaths.TryDelete(DataDir);
    }
}
