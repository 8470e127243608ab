using System.Security.Claims;
using ComfyStudio.Services.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace ComfyStudio.Web.Api.Auth;

/// <summary>The login form's POST (an API key in, a cookie out) and logout.</summary>
public static class LoginEndpoints
{
    public const string LoginPath = "/auth/login";
    public const string LogoutPath = "/auth/logout";

    public static IEndpointRouteBuilder MapStudioLogin(this IEndpointRouteBuilder app)
    {
        app.MapPost(LoginPath, LoginAsync).AllowAnonymous().ExcludeFromDescription().DisableRateLimiting();
        app.MapPost(LogoutPath, (Delegate)LogoutAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> LoginAsync(HttpContext context, [FromForm(Name = "api_key")] string? apiKey,
        [FromForm(Name = "return_url")] string? returnUrl, ApiKeyStore keys, LoginThrottle throttle, ILogger<ApiKeyStore> log)
    {
        var client = ClientAddress.Of(context);
        var back = SafeReturnUrl(returnUrl);
        if (throttle.RetryAfter(client) is { } wait)
            return Throttled(context, wait, back);

        var identity = await keys.ValidateAsync(apiKey, context.RequestAborted);
        if (identity is null)
        {
            log.LogWarning("Failed login from {Client}", client);
            return throttle.RecordFailure(client) is { } locked
                ? Throttled(context, locked, back)
                : Results.Redirect($"/login?error=invalid&ReturnUrl={Uri.EscapeDataString(back)}");
        }

        var principal = new ClaimsPrincipal(StudioClaims.Identity(identity, CookieAuthenticationDefaults.AuthenticationScheme, LoginSessions.NewId()));
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal,
            new AuthenticationProperties { IsPersistent = true, AllowRefresh = true });
        log.LogInformation("Signed in with key '{KeyName}' from {Client}", identity.Name, client);
        return Results.LocalRedirect(back);
    }

    private static IResult Throttled(HttpContext context, TimeSpan wait, string back)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Redirect($"/login?error=throttled&retry={seconds}&ReturnUrl={Uri.EscapeDataString(back)}");
    }

    private static async Task<IResult> LogoutAsync(HttpContext context)
    {
        var cookie = await context.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        if (cookie.Principal?.FindFirst(StudioClaims.SessionId)?.Value is { } sid)
            await context.RequestServices.GetRequiredService<LoginSessions>().EndAsync(sid, context.RequestAborted);
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Results.Redirect("/login");
    }

    /// <summary>Only a local path may be returned to (no open redirect).</summary>
    public static string SafeReturnUrl(string? url) =>
        !string.IsNullOrEmpty(url) && url.Length <= 2048 && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
        && !url.Any(c => c < 0x20 || c == 0x7F || c == '\\')
        && !url.StartsWith(LoginPath, StringComparison.OrdinalIgnoreCase) ? url : "/";
}
