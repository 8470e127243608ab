using ComfyStudio.Web.Api.Auth;
using ComfyStudio.Web.Api.Conventions;

namespace ComfyStudio.Web.LiveFeed;

/// <summary>Who may open the live feed from a browser.</summary>
public static class LiveFeedOrigin
{
    /// <summary>
    /// A browser's handshake carries the login cookie on its own, so one opened with the cookie must come
    /// from this site (or an origin listed in CORS_ORIGINS). Key-authenticated clients are not browsers
    /// riding on a cookie and may connect from anywhere.
    /// </summary>
    public static bool Allowed(HttpContext context)
    {
        if (ApiKeyAuthenticationHandler.PresentedKey(context.Request) is not null) return true;
        var origin = context.Request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin)) return true; // not a browser
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)) return false;
        if (string.Equals(uri.Authority, context.Request.Host.Value, StringComparison.OrdinalIgnoreCase)) return true;
        return context.RequestServices.GetRequiredService<CorsOrigins>().Lists(origin);
    }
}
