namespace ComfyStudio.Web.Api.Auth;

/// <summary>The client is locked out after too many wrong keys.</summary>
public sealed class ThrottledException(TimeSpan wait) : Exception("Too many wrong API keys")
{
    public TimeSpan Wait { get; } = wait;
}
