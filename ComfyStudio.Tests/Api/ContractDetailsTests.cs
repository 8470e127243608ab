using System.Net;
using System.Text;
using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.Api;

/// <summary>Details of the contract that every answer keeps, errors and refusals included.</summary>
public sealed class ContractDetailsTests : IAsyncLifetime
{
    private readonly StudioFactory _host = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static void AssertVersioned(HttpResponseMessage response, string what) =>
        Assert.True(response.Headers.TryGetValues("X-API-Version", out var v) && v.Single() == "2.0.0",
            $"{what}: {(int)response.StatusCode} without X-API-Version");

    [Fact]
    public async Task Every_api_answer_carries_x_api_version_errors_preflights_and_throttled_ones_included()
    {
        var client = _host.CreateKeyClient();
        AssertVersioned(await client.GetAsync("/api/health"), "health");
        AssertVersioned(await client.GetAsync("/api/nope"), "unknown route");
        AssertVersioned(await client.DeleteAsync("/api/health"), "wrong method");
        AssertVersioned(await client.PostAsync("/api/downloads", new StringContent("{", Encoding.UTF8, "application/json")), "malformed JSON");
        AssertVersioned(await _host.CreateAnonymousClient().GetAsync("/api/downloads"), "no credential");
        AssertVersioned(await _host.CreateKeyClient("cs_wrong-key-0000").GetAsync("/api/downloads"), "wrong key");
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/downloads");
        preflight.Headers.Add("Origin", "https://example.com");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        AssertVersioned(await _host.CreateAnonymousClient().SendAsync(preflight), "preflight");

        var wrong = _host.CreateKeyClient("cs_guess-" + Guid.NewGuid().ToString("n"));
        for (var i = 0; i < 6; i++) await wrong.GetAsync("/api/downloads");
        var throttled = await wrong.GetAsync("/api/downloads");
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        AssertVersioned(throttled, "throttled");
        _host.ForgetFailedKeys();
    }

    [Fact]
    public async Task A_wrong_type_in_the_settings_names_the_field_in_the_message()
    {
        var response = await _host.CreateKeyClient().PutAsync("/api/admin/settings", new StringContent("""{"max_concurrent": "four"}""", Encoding.UTF8, "application/json"));
        var body = await ErrorAssert.IsErrorBody(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Contains("max_concurrent", body.GetProperty("error").GetProperty("message").GetString());
    }
}
