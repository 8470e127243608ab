using System.Security.Claims;
using ComfyStudio.Services.Auth;

namespace ComfyStudio.Web.Api.Auth;

/// <summary>The claims every signed-in principal carries, whichever way it signed in.</summary>
public static class StudioClaims
{
    public const string KeyName = "studio:key";
    public const string KeyFingerprint = "studio:key_fp";
    /// <summary>Login sessions only: the id that logout ends on the server.</summary>
    public const string SessionId = "studio:sid";
    /// <summary>Policy: only the primary key (or a session opened with it) may manage credentials.</summary>
    public const string PrimaryOnlyPolicy = "PrimaryKeyOnly";

    public static bool IsPrimary(System.Security.Claims.ClaimsPrincipal user) =>
        user.FindFirst(KeyName)?.Value == ComfyStudio.Services.Auth.ApiKeyStore.PrimaryName;

    public static ClaimsIdentity Identity(ApiKeyIdentity key, string scheme, string? sessionId = null)
    {
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, key.Name),
            new Claim(KeyName, key.Name),
            new Claim(KeyFingerprint, key.Fingerprint),
        ], scheme);
        if (sessionId is not null) identity.AddClaim(new Claim(SessionId, sessionId));
        return identity;
    }

    /// <summary>Whether a login-cookie principal's session may go on.</summary>
    public static Task<bool> IsActiveAsync(ClaimsPrincipal user, LoginSessions sessions, CancellationToken ct) =>
        sessions.IsActiveAsync(user.FindFirst(SessionId)?.Value, user.FindFirst(KeyName)?.Value, user.FindFirst(KeyFingerprint)?.Value, ct);
}
