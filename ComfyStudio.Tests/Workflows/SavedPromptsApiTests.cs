using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ComfyStudio.Tests.Workflows;

/// <summary>Saved prompts through <c>/api/admin/prompts</c>, stored in the <c>saved_prompts</c> table.</summary>
public sealed class SavedPromptsApiTests(StudioFactory factory) : IClassFixture<StudioFactory>
{
    private readonly HttpClient _client = factory.CreateKeyClient();

    [Fact]
    public async Task Prompts_are_saved_listed_by_type_newest_first_and_deleted()
    {
        var first = await (await _client.PostAsJsonAsync("/api/admin/prompts", new { text = "  a lighthouse at dawn ", type = "positive" })).Content.ReadFromJsonAsync<JsonElement>();
        var id = first.GetProperty("id").GetInt32();
        Assert.Equal("a lighthouse at dawn", first.GetProperty("prompt").GetProperty("text").GetString());
        var again = await (await _client.PostAsJsonAsync("/api/admin/prompts", new { text = "a lighthouse at dawn", type = "positive" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(id, again.GetProperty("id").GetInt32()); // no twin
        await _client.PostAsJsonAsync("/api/admin/prompts", new { text = "blurry, watermark", type = "negative" });
        var later = (await (await _client.PostAsJsonAsync("/api/admin/prompts", new { text = "a harbour at night" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        var positive = await _client.GetFromJsonAsync<JsonElement>("/api/admin/prompts?type=positive");
        var texts = positive.GetProperty("prompts").EnumerateArray().Select(p => p.GetProperty("text").GetString()).ToList();
        Assert.Equal("a harbour at night", texts[0]);
        Assert.Contains("a lighthouse at dawn", texts);
        Assert.DoesNotContain("blurry, watermark", texts);
        Assert.All(positive.GetProperty("prompts").EnumerateArray(), p => Assert.Equal("positive", p.GetProperty("type").GetString()));
        var all = await _client.GetFromJsonAsync<JsonElement>("/api/admin/prompts");
        Assert.Contains(all.GetProperty("prompts").EnumerateArray(), p => p.GetProperty("type").GetString() == "negative");

        var deleted = await (await _client.DeleteAsync($"/api/admin/prompts/{later}")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(deleted.GetProperty("ok").GetBoolean());
        await ErrorAssert.IsErrorBody(await _client.DeleteAsync($"/api/admin/prompts/{later}"), HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task Bad_input_is_a_clear_400()
    {
        await ErrorAssert.IsErrorBody(await _client.PostAsJsonAsync("/api/admin/prompts", new { text = "   " }), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await _client.PostAsJsonAsync("/api/admin/prompts", new { text = "x", type = "neutral" }), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await _client.PostAsJsonAsync("/api/admin/prompts", new { text = new string('x', 20_001) }), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await _client.PostAsJsonAsync("/api/admin/prompts", new { text = 5 }), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await _client.PostAsync("/api/admin/prompts", new StringContent("{\"text\":", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await _client.GetAsync("/api/admin/prompts?type=other"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await _client.DeleteAsync("/api/admin/prompts/..%2F1"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await _client.DeleteAsync("/api/admin/prompts/-1"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }
}
