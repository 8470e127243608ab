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
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.Response.HasStarted) return false;
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            httpContext.Response.StatusCode = 499;
            return true;
        }
        if (DataFolderFull(exception))
        {
            logger.LogError("A write failed because the data folder (STUDIO_DIR) is full: {Reason}", exception.GetBaseException().Message);
            await ApiErrors.WriteAsync(httpContext, 507, ErrorCodes.InsufficientStorage,
                "The data folder (STUDIO_DIR) is full: nothing could be saved. Reading still works; free some space there and try again",
                new Dictionary<string, object?> { ["folder"] = "STUDIO_DIR" });
            return true;
        }
        switch (exception)
        {
            case StudioException se:
                if (se.Status >= 500) logger.LogError(se, "{Code}: {Message}", se.Code, se.Message);
                await ApiErrors.WriteAsync(httpContext, se.Status, se.Code, se.Message, se.Details);
                return true;
            case BadHttpRequestException bad:
                await ApiErrors.WriteAsync(httpContext, bad.StatusCode, ErrorCodes.ValidationError, bad.Message);
                return true;
        }
        logger.LogError(exception, "Unhandled error on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        if (!ApiErrors.IsApiRequest(httpContext.Request))
        {
            httpContext.Response.StatusCode = 500;
            httpContext.Response.ContentType = "text/plain; charset=utf-8";
            await httpContext.Response.WriteAsync($"Something went wrong (reference {httpContext.TraceIdentifier}). The log has the details.", cancellationToken);
            return true;
        }
        await ApiErrors.WriteAsync(httpContext, 500, ErrorCodes.InternalError, "An unexpected error occurred",
            new Dictionary<string, object?> { ["reference"] = httpContext.TraceIdentifier });
        return true;
    }

    /// <summary>
    /// Whether the database could not write for want of space: SQLite's <c>SQLITE_FULL</c> (13), anywhere in the
    /// chain EF Core wraps it in.
    /// </summary>
    internal static bool DataFolderFull(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 13 }) return true;
            if (e is Microsoft.Data.Sqlite.SqliteException sqlite && sqlite.Message.Contains("disk is full", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
