namespace ComfyStudio.Services.Errors;

/// <summary>
/// A failure the user should read: it carries one of <see cref="ErrorCodes"/>, a message fit to show,
/// and optional details. The API turns it into the error body; anything else becomes INTERNAL_ERROR.
/// </summary>
public class StudioException(string code, string message, IReadOnlyDictionary<string, object?>? details = null)
    : Exception(message)
{
    public string Code { get; } = code;
    public int Status => ErrorCodes.StatusOf(Code);
    public IReadOnlyDictionary<string, object?> Details { get; } = details ?? new Dictionary<string, object?>();

    public static StudioException Validation(string message, IReadOnlyDictionary<string, object?>? details = null) =>
        new(ErrorCodes.ValidationError, message, details);
    public static StudioException NotFound(string message) => new(ErrorCodes.NotFound, message);
    public static StudioException Conflict(string message) => new(ErrorCodes.Conflict, message);
}
