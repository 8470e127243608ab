using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Settings;
using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.Settings;

/// <summary>The System API's settings: max_concurrent, the variable groups with masking, edits, and reveal.</summary>
public sealed class SettingsApiTests : IDisposable
{
    private readonly ConfiguredFactory _factory = new(new Dictionary<string, string?>
    {
        ["HF_TOKEN"] = "hf_fromTheEnvironment1234",
        ["CIVITAI_API_KEY"] = "abcd", // 4 characters
        ["TELEGRAM_BOT_TOKEN"] = "12345678", // 8 characters
    });

    public void Dispose() => _factory.Dispose();

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Max_concurrent_is_clamped_saved_and_applied_at_once()
    {
        var client = _factory.CreateKeyClient();
        Assert.Equal(3, (await client.GetFromJsonAsync<JsonElement>("/api/admin/settings")).GetProperty("max_concurrent").GetInt32());
        var changed = new TaskCompletionSource<int>();
        using var _ = _factory.Services.GetRequiredService<EventBus>().Subscribe<MaxConcurrentChanged>(e => { changed.TrySetResult(e.Value); return Task.CompletedTask; });

        var put = await client.PutAsync("/api/admin/settings", Json("""{"max_concurrent": 5}"""));
        Assert.Equal(5, (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("max_concurrent").GetInt32());
        Assert.Equal(5, await changed.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(5, _factory.Services.GetRequiredService<StudioSettings>().MaxConcurrent);

        Assert.Equal(10, (await (await client.PutAsync("/api/admin/settings", Json("""{"max_concurrent": 50}"""))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("max_concurrent").GetInt32());
        Assert.Equal(1, (await (await client.PutAsync("/api/admin/settings", Json("""{"max_concurrent": -3}"""))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("max_concurrent").GetInt32());
        await using var db = await _factory.Services.GetRequiredService<IDbContextFactory<ComfyStudio.Services.Data.StudioDbContext>>().CreateDbContextAsync();
        Assert.Equal("1", (await db.Settings.FindAsync(StudioSettings.MaxConcurrentSetting))!.Value);
    }

    [Theory]
    [InlineData("""{"max_concurrent": "five"}""")]
    [InlineData("""{"max_concurrent": 2.5}""")]
    [InlineData("""{"max_concurrent": 99999999999}""")]
    [InlineData("""{"max_concurrent": """)]
    [InlineData("""[1]""")]
    public async Task A_malformed_settings_body_is_a_400(string body)
    {
        var response = await _factory.CreateKeyClient().PutAsync("/api/admin/settings", Json(body));
        await ErrorAssert.IsErrorBody(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Env_groups_mask_secrets_by_spec_A_rule()
    {
        var body = await _factory.CreateKeyClient().GetFromJsonAsync<JsonElement>("/api/admin/settings/env");
        var groups = body.GetProperty("groups").EnumerateArray().ToList();
        var ids = groups.Select(g => g.GetProperty("id").GetString()).ToList();
        Assert.Contains("auth", ids);
        Assert.DoesNotContain("runpod", ids); // not on RunPod
        Assert.DoesNotContain("dev", ids); // not in DEV_MODE
        var vars = groups.SelectMany(g => g.GetProperty("vars").EnumerateArray()).ToDictionary(v => v.GetProperty("key").GetString()!);

        var apiKey = vars["API_KEY"];
        Assert.Equal("test***cdef", apiKey.GetProperty("value").GetString());
        Assert.True(apiKey.GetProperty("sensitive").GetBoolean());
        Assert.True(apiKey.GetProperty("set").GetBoolean());
        Assert.True(apiKey.GetProperty("editable").GetBoolean());
        foreach (var field in new[] { "default", "description" }) Assert.Equal(JsonValueKind.String, apiKey.GetProperty(field).ValueKind);

        Assert.Equal("hf_f***1234", vars["HF_TOKEN"].GetProperty("value").GetString());
        Assert.Equal("***", vars["CIVITAI_API_KEY"].GetProperty("value").GetString());
        Assert.Equal("12***", vars["TELEGRAM_BOT_TOKEN"].GetProperty("value").GetString());
        Assert.Equal("", vars["TELEGRAM_BOT_NAME"].GetProperty("value").GetString());
        Assert.False(vars["TELEGRAM_BOT_NAME"].GetProperty("set").GetBoolean());
        Assert.Equal(_factory.DataDir, vars["STUDIO_DIR"].GetProperty("value").GetString());
        Assert.False(vars["STUDIO_DIR"].GetProperty("editable").GetBoolean());
        Assert.DoesNotContain(StudioFactory.PrimaryKey, body.GetRawText());
        Assert.DoesNotContain("hf_fromTheEnvironment1234", body.GetRawText());
    }

    [Theory]
    [InlineData("""{"key": "STUDIO_DIR", "value": "/tmp/elsewhere"}""")]
    [InlineData("""{"key": "RUNPOD_API_KEY", "value": "x"}""")]
    [InlineData("""{"key": "hf_token", "value": "x"}""")]
    [InlineData("""{"key": "", "value": "x"}""")]
    [InlineData("""{"value": "x"}""")]
    [InlineData("""{"key": "HF_TOKEN", "value": 12}""")]
    [InlineData("""{"key": "HF_TOKEN", "value": "two\nlines"}""")]
    [InlineData("""{"key": "API_KEY", "value": "short"}""")]
    public async Task Only_editable_variables_with_sane_values_change(string body)
    {
        var response = await _factory.CreateKeyClient().PutAsync("/api/admin/settings/env", Json(body));
        await ErrorAssert.IsErrorBody(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal("hf_fromTheEnvironment1234", _factory.Services.GetRequiredService<StudioSettings>().HfToken);
    }

    [Fact]
    public async Task An_edited_token_is_saved_applied_and_survives_a_restart()
    {
        var client = _factory.CreateKeyClient();
        var put = await client.PutAsync("/api/admin/settings/env", Json("""{"key": "HF_TOKEN", "value": "hf_savedFromSettings99"}"""));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var echoed = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("HF_TOKEN", echoed.GetProperty("key").GetString());
        Assert.Equal("hf_savedFromSettings99", echoed.GetProperty("value").GetString());
        Assert.Equal("hf_savedFromSettings99", _factory.Services.GetRequiredService<StudioSettings>().HfToken);

        var env = await client.GetStringAsync("/api/admin/settings/env");
        Assert.Contains("hf_s***gs99", env);

        using var restarted = new RestartedFactory(_factory.DataDir);
        Assert.Equal("hf_savedFromSettings99", restarted.Services.GetRequiredService<StudioSettings>().HfToken); // the saved value wins over HF_TOKEN
    }

    private sealed class RestartedFactory(string dataDir) : StudioFactory(dataDir)
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["HF_TOKEN"] = "hf_fromTheEnvironment1234",
        };
    }

    [Fact]
    public async Task A_new_API_key_works_at_once_and_the_old_one_stops()
    {
        var client = _factory.CreateKeyClient();
        const string NewKey = "rotated-key-abcdefghijklmnop";
        var put = await client.PutAsync("/api/admin/settings/env", Json($$"""{"key": "API_KEY", "value": "{{NewKey}}"}"""));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await _factory.CreateKeyClient().GetAsync("/api/admin/settings")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _factory.CreateKeyClient(NewKey).GetAsync("/api/admin/settings")).StatusCode);
        _factory.ForgetFailedKeys();
    }

    [Fact]
    public async Task Reveal_needs_the_key_again_and_is_recorded_without_the_values()
    {
        var client = _factory.CreateKeyClient();
        var refused = await client.PostAsync("/api/admin/settings/reveal", Json("""{"api_key": "not-the-key-at-all"}"""));
        await ErrorAssert.IsErrorBody(refused, HttpStatusCode.Forbidden, "FORBIDDEN");
        var missing = await client.PostAsync("/api/admin/settings/reveal", Json("{}"));
        await ErrorAssert.IsErrorBody(missing, HttpStatusCode.Forbidden, "FORBIDDEN");
        _factory.ForgetFailedKeys();

        var revealed = await client.PostAsync("/api/admin/settings/reveal", Json($$"""{"api_key": "{{StudioFactory.PrimaryKey}}"}"""));
        Assert.Equal(HttpStatusCode.OK, revealed.StatusCode);
        var secrets = await revealed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(StudioFactory.PrimaryKey, secrets.GetProperty("API_KEY").GetString());
        Assert.Equal("hf_fromTheEnvironment1234", secrets.GetProperty("HF_TOKEN").GetString());
        Assert.Equal("abcd", secrets.GetProperty("CIVITAI_API_KEY").GetString());
        Assert.Equal("12345678", secrets.GetProperty("TELEGRAM_BOT_TOKEN").GetString());
        Assert.Equal("no-store", revealed.Headers.CacheControl?.ToString());

        var log = _factory.Services.GetRequiredService<EventLog>();
        await TestWait.UntilAsync(async () => (await log.ReadAsync(new EventQuery(Types: ["settings.secrets.revealed"]))).Count == 1);
        var events = await _factory.CreateKeyClient().GetStringAsync("/api/admin/events?types=settings.secrets.revealed,settings.secrets.refused");
        Assert.Contains("settings.secrets.refused", events);
        Assert.DoesNotContain("hf_fromTheEnvironment1234", events);
        Assert.DoesNotContain(StudioFactory.PrimaryKey, events);
    }

    [Fact]
    public async Task A_named_key_can_read_settings_but_not_change_secrets_or_reveal_them()
    {
        var named = await _factory.Services.GetRequiredService<ComfyStudio.Services.Auth.ApiKeyStore>().CreateAsync("extension");
        var client = _factory.CreateKeyClient(named);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/admin/settings/env")).StatusCode);
        await ErrorAssert.IsErrorBody(await client.PutAsync("/api/admin/settings/env", Json("""{"key": "HF_TOKEN", "value": "hf_stolen1234"}""")),
            HttpStatusCode.Forbidden, "FORBIDDEN");
        await ErrorAssert.IsErrorBody(await client.PostAsync("/api/admin/settings/reveal", Json($$"""{"api_key": "{{named}}"}""")),
            HttpStatusCode.Forbidden, "FORBIDDEN");
    }
}
