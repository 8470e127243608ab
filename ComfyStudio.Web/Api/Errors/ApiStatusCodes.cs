using ComfyStudio.Services.Errors;
using Microsoft.AspNetCore.Diagnostics;

namespace ComfyStudio.Web.Api.Errors;

/// <summary>
/// Gives bodiless API error responses (an unknown route, a wrong method, an unsupported media type…)
/// the error body.
/// </summary>
public static class ApiStatusCodes
{
    public static Task WriteBodyAsync(StatusCodeContext ctx)
    {
        var http = ctx.HttpContext;
        if (!ApiErrors.IsApiRequest(http.Request)) return Task.CompletedTask;
        var status = http.Response.StatusCode;
        var route = $"{http.Request.Method} {http.Request.Path}";
        var (code, message) = status switch
        {
            404 => (ErrorCodes.NotFound, $"No such endpoint: {route}"),
            405 => (ErrorCodes.MethodNotAllowed, $"Method not allowed: {route}"),
            415 => (ErrorCodes.ValidationError, "Send the body as application/json"),
            413 => (ErrorCodes.ValidationError, "The request body is too large"),
            401 => (ErrorCodes.Unauthorized, "Authentication required"),
            403 => (ErrorCodes.Forbidden, "Not allowed"),
            429 => (ErrorCodes.RateLimitExceeded, "Too many requests"),
            >= 500 => (ErrorCodes.InternalError, "An unexpected error occurred"),
            _ => (ErrorCodes.ValidationError, "The request could not be processed"),
        };
        return ApiErrors.WriteAsync(http, status, code, message);
    }
}
