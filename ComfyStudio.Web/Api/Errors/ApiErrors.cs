using System.Text.Json;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Formatting;

namespace ComfyStudio.Web.Api.Errors;

public static class ApiErrors
{
    /// <summary>Paths whose clients read JSON: the API, the live feed, health and the OpenAPI document.</summary>
    public static bool IsApiRequest(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/ws")
        || request.Path.StartsWithSegments("/health") || request.Path.StartsWithSegments("/openapi");

    public static Task WriteAsync(HttpContext context, int status, string code, string message,
        IReadOnlyDictionary<string, object?>? details = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(ErrorBody.Of(code, message, details), Conventions.StudioJson.Options));
    }

    public static Task WriteAsync(HttpContext context, string code, string message,
        IReadOnlyDictionary<string, object?>? details = null) =>
        WriteAsync(context, ErrorCodes.StatusOf(code), code, message, details);
}
