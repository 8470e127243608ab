using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComfyStudio.Services.Auth;
using ComfyStudio.Services.Data;
using ComfyStudio.Tests.Infrastructure;
using ComfyStudio.Web.Commands;

namespace ComfyStudio.Tests.Auth;

/// <summary>A host on a given data folder with a given <c>API_KEY</c> in its environment (empty: none).</summary>
public sealed class KeyedFactory(string folder, string apiKey) : StudioFactory
{
    protected override string ConfiguredKey => apiKey;

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("STUDIO_DIR", folder);
    }
}

/// <summary>
/// One rule for a valid API key wherever a key is set or checked; a saved key that could never match does not lock
/// the owner out; a success does not erase failures; the reveal's throttle holds over the API; key names that
/// would become other routes are refused.
/// </summary>
public sealed class KeySafetyTests : IDisposable
{
    private readonly string _folder = TestPaths.NewTempDir("keys");

    public void Dispose() => TestPaths.TryDelete(_folder);

    private static JsonContent Env(string key, string value) => JsonContent.Create(new { key, value });

    [Theory]
    [InlineData(513, 'k')]   // too long: no request could ever present it
    [InlineData(7, 'k')]     // too short
    [InlineData(20, 'é')]    // not ASCII
    [InlineData(20, '\u200b')] // an invisible character
    public async Task A_key_that_could_never_be_presented_is_refused_when_set_and_the_old_one_keeps_working(int length, char fill)
    {
        await using var host = new KeyedFactory(_folder, StudioFactory.PrimaryKey);
        var client = host.CreateKeyClient();
        var key = "QZ" + new string(fill, length - 2);
        var body = await ErrorAssert.IsErrorBody(await client.PutAsync("/api/admin/settings/env", Env("API_KEY", key)), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Contains("API_KEY", body.GetProperty("error").GetProperty("message").GetString());
        Assert.DoesNotContain(key, body.ToString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/admin/events")).StatusCode);
    }

    [Fact]
    public async Task The_longest_valid_key_set_from_settings_works_at_once_and_after_a_restart()
    {
        var longest = "K" + new string('x', ApiKeyRule.MaxLength - 2) + "~";
        await using (var host = new KeyedFactory(_folder, StudioFactory.PrimaryKey))
        {
            Assert.Equal(HttpStatusCode.OK, (await host.CreateKeyClient().PutAsync("/api/admin/settings/env", Env("API_KEY", longest))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await host.CreateKeyClient(longest).GetAsync("/api/admin/events")).StatusCode);
        }
        await using var again = new KeyedFactory(_folder, StudioFactory.PrimaryKey);
        Assert.Equal(HttpStatusCode.OK, (await again.CreateKeyClient(longest).GetAsync("/api/admin/events")).StatusCode);
    }

    /// <summary>A key an earlier build accepted from Settings, which no request can present.</summary>
    private async Task SaveUnusableKeyAsync()
    {
        await using (var first = new KeyedFactory(_folder, StudioFactory.PrimaryKey)) _ = first.Server; // the database exists
        await using var db = TestDatabase.Open(_folder);
        db.Settings.Add(new SettingRecord { Key = ApiKeyStore.SavedPrimaryKeySetting, Value = new string('k', 600), UpdatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task An_unusable_saved_key_gives_way_to_the_environment_at_start()
    {
        await SaveUnusableKeyAsync();
        await using var host = new KeyedFactory(_folder, StudioFactory.PrimaryKey);
        _ = host.Server;
        Assert.Equal("environment", host.Services.GetRequiredService<ApiKeyStore>().PrimarySource);
        Assert.Equal(HttpStatusCode.OK, (await host.CreateKeyClient().GetAsync("/api/admin/events")).StatusCode);
        await using var db = TestDatabase.Open(_folder);
        Assert.False(await db.Settings.AnyAsync(s => s.Key == ApiKeyStore.SavedPrimaryKeySetting));
        var logs = await host.CreateKeyClient().GetStringAsync("/api/system/logs?service=dashboard&lines=200");
        Assert.Contains("saved from Settings is 600 characters", logs);
    }

    [Fact]
    public async Task An_unusable_saved_key_and_an_unusable_environment_key_give_way_to_a_new_generated_one()
    {
        await SaveUnusableKeyAsync();
        var console = new StringWriter();
        var before = Console.Out;
        Console.SetOut(TextWriter.Synchronized(console));
        string generated;
        try
        {
            await using var host = new KeyedFactory(_folder, "short");
            _ = host.Server;
            var store = host.Services.GetRequiredService<ApiKeyStore>();
            Assert.Equal("generated", store.PrimarySource);
            generated = store.PrimaryKey;
            Assert.Equal(HttpStatusCode.OK, (await host.CreateKeyClient(generated).GetAsync("/api/admin/events")).StatusCode);
            var key = generated;
            await TestWait.UntilAsync(() => console.ToString().Contains(key), 10, "the new key on the console");
        }
        finally
        {
            Console.SetOut(before);
        }
        Assert.Contains(generated, console.ToString());
        Assert.Contains("could not use its configured API key", console.ToString());
    }

    [Fact]
    public async Task Set_key_reads_the_main_key_from_standard_input_or_generates_one_under_the_same_rule()
    {
        await using (var host = new KeyedFactory(_folder, StudioFactory.PrimaryKey)) _ = host.Server;
        var error = new StringWriter();
        Assert.Equal(1, await StudioCommands.RunAsync(["set-key", "--studio-dir", _folder], new StringWriter(), error, new StringReader(new string('k', 513) + "\n")));
        Assert.Contains("at most 512", error.ToString());

        const string chosen = "my-own-key-for-the-pod-42";
        Assert.Equal(0, await StudioCommands.RunAsync(["set-key", "--studio-dir", _folder], new StringWriter(), new StringWriter(), new StringReader(chosen + "\n")));
        await using (var host = new KeyedFactory(_folder, StudioFactory.PrimaryKey))
        {
            Assert.Equal(HttpStatusCode.OK, (await host.CreateKeyClient(chosen).GetAsync("/api/admin/events")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.CreateKeyClient().GetAsync("/api/admin/events")).StatusCode);
        }

        var output = new StringWriter();
        Assert.Equal(0, await StudioCommands.RunAsync(["set-key", "--generate", "--studio-dir", _folder], output, new StringWriter(), new StringReader("")));
        var generated = output.ToString().Trim();
        Assert.True(ApiKeyRule.IsValid(generated) && generated.Length >= 40, generated);
        await using var last = new KeyedFactory(_folder, StudioFactory.PrimaryKey);
        Assert.Equal(HttpStatusCode.OK, (await last.CreateKeyClient(generated).GetAsync("/api/admin/events")).StatusCode);
    }

    [Fact]
    public async Task A_request_with_a_valid_named_key_does_not_erase_the_clients_wrong_keys()
    {
        await using var host = new KeyedFactory(_folder, StudioFactory.PrimaryKey);
        var named = host.CreateKeyClient(await host.Services.GetRequiredService<ApiKeyStore>().CreateAsync("shared-proxy"));
        var wrong = host.CreateKeyClient("cs_guess-" + Guid.NewGuid().ToString("n"));
        var answers = new List<HttpStatusCode>();
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < LoginThrottle.MaxFailures - 1; i++) answers.Add((await wrong.GetAsync("/api/admin/events")).StatusCode);
            answers.Add((await named.GetAsync("/api/health")).StatusCode);
        }
        // Eight guesses with successes between them: the fifth locked the client out, and the lock holds for every key.
        Assert.Contains(HttpStatusCode.TooManyRequests, answers);
        await ErrorAssert.IsErrorBody(await wrong.GetAsync("/api/admin/events"), HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED");
        await ErrorAssert.IsErrorBody(await named.GetAsync("/api/admin/events"), HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED");
    }

    [Fact]
    public async Task The_reveals_wrong_key_throttle_holds_for_api_callers_with_a_valid_header()
    {
        await using var host = new KeyedFactory(_folder, StudioFactory.PrimaryKey);
        var client = host.CreateKeyClient();
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < LoginThrottle.MaxFailures + 1; i++)
            answers.Add((await client.PostAsJsonAsync("/api/admin/settings/reveal", new { api_key = "wrong-key-" + i })).StatusCode);
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Forbidden, LoginThrottle.MaxFailures), answers.Take(LoginThrottle.MaxFailures));
        Assert.Equal(HttpStatusCode.TooManyRequests, answers[^1]);
        // Not even the right key reveals anything until the lock-out ends.
        var right = await client.PostAsJsonAsync("/api/admin/settings/reveal", new { api_key = StudioFactory.PrimaryKey });
        await ErrorAssert.IsErrorBody(right, HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED");
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData(".hidden")]
    [InlineData("-flag")]
    public async Task Key_names_that_would_become_other_routes_are_refused(string name)
    {
        await using var host = new KeyedFactory(_folder, StudioFactory.PrimaryKey);
        var body = await ErrorAssert.IsErrorBody(await host.CreateKeyClient().PostAsJsonAsync("/api/admin/keys", new { name }), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Contains("starting with a letter or digit", body.GetProperty("error").GetProperty("message").GetString());
        var error = new StringWriter();
        Assert.Equal(1, await StudioCommands.RunAsync(["generate-key", "--name", name, "--studio-dir", _folder], new StringWriter(), error));
        Assert.Contains("name must be", error.ToString());
        // A name that starts well may hold dots.
        Assert.Equal(HttpStatusCode.Created, (await host.CreateKeyClient().PostAsJsonAsync("/api/admin/keys", new { name = "ci.runner-1" + name.Length })).StatusCode);
    }
}
