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
