using System.Net;
using System.Text.Json;

namespace ComfyStudio.Tests.Infrastructure;

public static class ErrorAssert
{
    /// <summary>Asserts the project's error body: error.{code,message,details,timestamp} and detail.</summary>
    public static async Task<JsonElement> IsErrorBody(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString());
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement.Clone();
        var error = root.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        var message = error.GetProperty("message").GetString();
        Assert.False(string.IsNullOrWhiteSpace(message));
        Assert.Equal(JsonValueKind.Object, error.GetProperty("details").ValueKind);
        Assert.EndsWith("Z", error.GetProperty("timestamp").GetString());
        Assert.Equal(message, root.GetProperty("detail").GetString());
        Assert.DoesNotContain("   at ", text);
        Assert.DoesNotContain("Exception", text);
        return root;
    }
}
