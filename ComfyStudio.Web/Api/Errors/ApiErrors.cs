using System.Text.Json;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Formatting;

namespace ComfyStudio.Web.Api.Errors;

/// <summary>
/// The one error body of the API: the Dashboard API's <c>error</c> object plus the System API's <c>detail</c>.
/// </summary>
public sealed record ErrorBody(ErrorBody.ErrorInfo Error, string Detail)
{
    public sealed record ErrorInfo(string Code, string Message, IReadOnlyDictionary<string, object?> Details, string Timestamp);

    public static ErrorBody Of(string code, string message, IReadOnlyDictionary<string, object?>? details = null) =>
        new(new ErrorInfo(code, message, details ?? new Dictionary<string, object?>(),
            ApiTime.Iso(DateTime.UtcNow)), message);
}

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
