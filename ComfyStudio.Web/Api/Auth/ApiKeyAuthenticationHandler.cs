using System.Security.Claims;
using System.Text.Encodings.Web;
using ComfyStudio.Services.Auth;
using ComfyStudio.Services.Errors;
using ComfyStudio.Web.Api.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Web.Api.Auth;

/// <summary>
/// The one API-key handler: a key in <c>X-API-Key</c>, in <c>Authorization: Bearer</c>, or (for <c>/ws</c>
/// only, since browsers cannot set headers there) in <c>?api_key=</c> becomes a claims principal, so
/// authorization treats a key and a login cookie alike.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyStore keys,
    LoginThrottle throttle)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-API-Key";
    public const string QueryName = "api_key";

    /// <summary>The key the request presents, or null.</summary>
    public static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers.TryGetValue(HeaderName, out var header) && header.ToString().Trim() is { Length: > 0 } fromHeader)
            return fromHeader;
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization["Bearer ".Length..].Trim() is { Length: > 0 } bearer)
            return bearer;
        if (request.Path.StartsWithSegments("/ws") && request.Query.TryGetValue(QueryName, out var q) && !string.IsNullOrEmpty(q.ToString()))
            return q.ToString();
        return null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey(Request);
        if (presented is null) return AuthenticateResult.NoResult();
        // Wrong keys count against the client exactly as wrong logins do, so the API is no faster way to guess.
        var client = ClientAddress.Of(Context);
        if (throttle.RetryAfter(client) is { } wait)
            return AuthenticateResult.Fail(new ThrottledException(wait));
        var identity = await keys.ValidateAsync(presented, Context.RequestAborted);
        if (identity is null)
        {
            throttle.RecordFailure(client);
            return AuthenticateResult.Fail("Invalid API key");
        }
        var principal = new ClaimsPrincipal(StudioClaims.Identity(identity, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (result.Failure is ThrottledException throttled)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(throttled.Wait.TotalSeconds));
            Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await ApiErrors.WriteAsync(Context, ErrorCodes.RateLimitExceeded,
                $"Too many wrong API keys from this client: try again in {seconds} s",
                new Dictionary<string, object?> { ["retry_after"] = seconds });
            return;
        }
        var message = result.Failure is not null
            ? "Invalid API key"
            : "Authentication required: send the API key in X-API-Key or Authorization: Bearer";
        Response.Headers.WWWAuthenticate = "Bearer";
        await ApiErrors.WriteAsync(Context, ErrorCodes.Unauthorized, message);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiErrors.WriteAsync(Context, ErrorCodes.Forbidden, "This credential may not use this endpoint");
}
