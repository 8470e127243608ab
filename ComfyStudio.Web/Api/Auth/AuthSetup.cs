using ComfyStudio.Services.Auth;
using ComfyStudio.Services.Errors;
using ComfyStudio.Web.Api.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;

namespace ComfyStudio.Web.Api.Auth;

public static class AuthSetup
{
    /// <summary>Picks the API-key handler when the request presents a key, else the login cookie.</summary>
    public const string StudioScheme = "Studio";
    /// <summary>Cookie-only policy: the Hangfire dashboard and other browser-only tools.</summary>
    public const string BrowserOnlyPolicy = "BrowserOnly";
    public const string CookieName = "comfystudio.auth";

    public static IHostApplicationBuilder AddStudioAuth(this IHostApplicationBuilder builder, string studioDir)
    {
        // Login cookies survive restarts (the app restarts itself after updates).
        builder.Services.AddDataProtection()
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(studioDir, "keys")))
            .SetApplicationName("ComfyStudio");

        builder.Services.AddAuthentication(StudioScheme)
            .AddPolicyScheme(StudioScheme, "API key or login cookie", o =>
                o.ForwardDefaultSelector = ctx => ApiKeyAuthenticationHandler.PresentedKey(ctx.Request) is null
                    ? CookieAuthenticationDefaults.AuthenticationScheme
                    : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddCookie(o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(24);
                o.SlidingExpiration = true;
                o.LoginPath = "/login";
                o.LogoutPath = "/auth/logout";
                o.AccessDeniedPath = "/login";
                o.Events.OnRedirectToLogin = ctx => ApiErrors.IsApiRequest(ctx.Request)
                    ? ApiErrors.WriteAsync(ctx.HttpContext, ErrorCodes.Unauthorized,
                        "Authentication required: send the API key in X-API-Key or Authorization: Bearer")
                    : Redirect(ctx);
                o.Events.OnRedirectToAccessDenied = ctx => ApiErrors.IsApiRequest(ctx.Request)
                    ? ApiErrors.WriteAsync(ctx.HttpContext, ErrorCodes.Forbidden, "Not allowed")
                    : Redirect(ctx);
                o.Events.OnValidatePrincipal = ValidateSessionKeyAsync;
            });

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder(StudioScheme)
                .RequireAuthenticatedUser().Build())
            .AddPolicy(StudioClaims.PrimaryOnlyPolicy, p => p
                .AddAuthenticationSchemes(StudioScheme)
                .RequireAuthenticatedUser()
                .RequireAssertion(ctx => StudioClaims.IsPrimary(ctx.User)))
            .AddPolicy(BrowserOnlyPolicy, p => p
                .AddAuthenticationSchemes(CookieAuthenticationDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser());
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, CircuitSessionRevalidator>();
        return builder;
    }

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> ctx)
    {
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>A session ends at logout, or when the key it was opened with is changed or revoked.</summary>
    private static async Task ValidateSessionKeyAsync(CookieValidatePrincipalContext ctx)
    {
        var sessions = ctx.HttpContext.RequestServices.GetRequiredService<LoginSessions>();
        if (ctx.Principal is null || !await StudioClaims.IsActiveAsync(ctx.Principal, sessions, ctx.HttpContext.RequestAborted))
        {
            ctx.RejectPrincipal();
            await ctx.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }
}
