using ComfyStudio.Services.Auth;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace ComfyStudio.Web.Api.Auth;

/// <summary>
/// An open Blazor circuit keeps the user it started with; this checks every minute that the session is still
/// active (not logged out, key not revoked or changed) and signs the circuit out when it is not.
/// </summary>
public sealed class CircuitSessionRevalidator(ILoggerFactory loggerFactory, LoginSessions sessions)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        authenticationState.User.FindFirst(StudioClaims.SessionId) is null
            ? Task.FromResult(authenticationState.User.Identity?.IsAuthenticated == true) // a circuit opened with an API key header
            : StudioClaims.IsActiveAsync(authenticationState.User, sessions, cancellationToken);
}
