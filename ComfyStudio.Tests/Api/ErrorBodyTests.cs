using System.Net;
using System.Text;
using ComfyStudio.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace ComfyStudio.Tests.Api;

/// <summary>A controller that only this test host has: it fails the way a bug would.</summary>
[ApiController]
[Route("api/test/boom")]
public sealed class BoomController : ControllerBase
{
    [HttpGet]
    public IActionResult Get() => throw new InvalidOperationException("kaboom: internal detail that must stay inside");
}

public sealed class BoomFactory : StudioFactory
{
    protected override void ConfigureTestServices(IServiceCollection services) =>
        services.AddControllers().AddApplicationPart(typeof(BoomController).Assembly);
}

public sealed class ErrorBodyTests(BoomFactory factory) : IClassFixture<BoomFactory>
{
    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Malformed_json_is_a_validation_error()
    {
        var response = await factory.CreateKeyClient().PostAsync("/api/admin/keys", Json("""{"name": """));
        var body = await ErrorAssert.IsErrorBody(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Contains("Malformed JSON", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_wrong_type_is_a_validation_error_naming_the_field()
    {
        var response = await factory.CreateKeyClient().PostAsync("/api/admin/keys", Json("""{"name": 42}"""));
        var body = await ErrorAssert.IsErrorBody(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Contains("'name' has the wrong type", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_missing_field_and_an_out_of_range_value_are_validation_errors()
    {
        var client = factory.CreateKeyClient();
        await ErrorAssert.IsErrorBody(await client.PostAsync("/api/admin/keys", Json("{}")), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await client.PostAsync("/api/admin/keys", Json("""{"name":"../../etc"}""")), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/admin/events?limit=0"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/admin/events?limit=abc"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/admin/events?severity=loud"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/admin/events?severity=1"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/admin/events?severity=success,warning"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        var missing = await ErrorAssert.IsErrorBody(await client.PostAsync("/api/admin/keys", Json("{}")), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.True(missing.GetProperty("error").GetProperty("details").TryGetProperty("name", out _), missing.GetRawText());
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/admin/keys?per_page=101"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/admin/keys?page=0"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Oversized_input_is_refused_without_being_echoed_back()
    {
        var client = factory.CreateKeyClient();
        var longName = new string('a', 200_000);
        var response = await client.PostAsync("/api/admin/keys", Json($$"""{"name":"{{longName}}"}"""));
        var body = await ErrorAssert.IsErrorBody(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.True(body.GetRawText().Length < 1000);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused_with_the_error_body()
    {
        var response = await factory.CreateKeyClient().PostAsync("/api/admin/keys", new StringContent("name=x", Encoding.UTF8, "text/plain"));
        await ErrorAssert.IsErrorBody(response, HttpStatusCode.UnsupportedMediaType, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task An_unknown_api_route_is_a_json_404()
    {
        var response = await factory.CreateKeyClient().GetAsync("/api/does/not/exist");
        await ErrorAssert.IsErrorBody(response, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task A_wrong_method_is_a_json_405()
    {
        var response = await factory.CreateKeyClient().PutAsync("/api/admin/events", Json("{}"));
        await ErrorAssert.IsErrorBody(response, HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED");
    }

    [Fact]
    public async Task An_unhandled_exception_is_a_500_without_its_details()
    {
        var response = await factory.CreateKeyClient().GetAsync("/api/test/boom");
        var body = await ErrorAssert.IsErrorBody(response, HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
        var text = body.GetRawText();
        Assert.DoesNotContain("kaboom", text);
        Assert.DoesNotContain("BoomController", text);
        Assert.True(body.GetProperty("error").GetProperty("details").TryGetProperty("reference", out _));
    }

    [Fact]
    public async Task Racing_creations_of_one_name_give_one_key_and_conflicts_never_a_500()
    {
        var client = factory.CreateKeyClient();
        var name = "race-" + Guid.NewGuid().ToString("n")[..6];
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            client.PostAsync("/api/admin/keys", Json($$"""{"name":"{{name}}"}"""))));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
    }

    [Fact]
    public async Task A_conflict_and_a_not_found_from_a_service_keep_their_codes()
    {
        var client = factory.CreateKeyClient();
        var name = "dup-" + Guid.NewGuid().ToString("n")[..6];
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/admin/keys", Json($$"""{"name":"{{name}}"}"""))).StatusCode);
        await ErrorAssert.IsErrorBody(await client.PostAsync("/api/admin/keys", Json($$"""{"name":"{{name}}"}""")), HttpStatusCode.Conflict, "CONFLICT");
        await ErrorAssert.IsErrorBody(await client.DeleteAsync("/api/admin/keys/nobody"), HttpStatusCode.NotFound, "NOT_FOUND");
    }
}
