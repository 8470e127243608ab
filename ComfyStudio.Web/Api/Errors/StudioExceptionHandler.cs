using ComfyStudio.Services.Errors;
using Microsoft.AspNetCore.Diagnostics;

namespace ComfyStudio.Web.Api.Errors;

/// <summary>
/// Maps every exception that escapes a request to the error body: <see cref="StudioException"/> keeps its
/// code and message; a bad request from the framework is a VALIDATION_ERROR; anything else is logged and
/// answered as INTERNAL_ERROR with only a reference id — never a stack trace.
/// </summary>
public sealed class StudioExceptionHandler(ILogger<StudioExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (context.Response.HasStarted) return false;
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            context.Response.StatusCode = 499;
            return true;
        }
        switch (exception)
        {
            case StudioException se:
                if (se.Status >= 500) logger.LogError(se, "{Code}: {Message}", se.Code, se.Message);
                await ApiErrors.WriteAsync(context, se.Status, se.Code, se.Message, se.Details);
                return true;
            case BadHttpRequestException bad:
                await ApiErrors.WriteAsync(context, bad.StatusCode, ErrorCodes.ValidationError, bad.Message);
                return true;
        }
        logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
        if (!ApiErrors.IsApiRequest(context.Request))
        {
            context.Response.StatusCode = 500;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync($"Something went wrong (reference {context.TraceIdentifier}). The log has the details.", ct);
            return true;
        }
        await ApiErrors.WriteAsync(context, 500, ErrorCodes.InternalError, "An unexpected error occurred",
            new Dictionary<string, object?> { ["reference"] = context.TraceIdentifier });
        return true;
    }
}
