namespace ComfyStudio.Services.Downloads;

/// <summary>
/// A download URL as it may be shown to any key holder: the credentials in it (<c>user:pass@</c>, and query values
/// whose names say token, key, secret, signature, password, auth, credential or session) become <c>***</c>. The real
/// URL stays in the database, where only the engine reads it.
/// </summary>
public static class UrlMask
{
    public const string Hidden = "***";

    private static readonly string[] SensitiveNames =
        ["token", "key", "secret", "sig", "pass", "pwd", "auth", "credential", "session", "jwt", "bearer", "cookie"];

    public static string Mask(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return url;
        var builder = new UriBuilder(uri);
        if (builder.UserName.Length > 0 || builder.Password.Length > 0)
        {
            builder.UserName = Hidden;
            builder.Password = "";
        }
        if (builder.Query.Length > 1)
        {
            var pairs = builder.Query.TrimStart('?').Split('&');
            for (var i = 0; i < pairs.Length; i++)
            {
                var eq = pairs[i].IndexOf('=');
                var name = Uri.UnescapeDataString(eq < 0 ? pairs[i] : pairs[i][..eq]).ToLowerInvariant();
                if (eq >= 0 && SensitiveNames.Any(name.Contains)) pairs[i] = pairs[i][..(eq + 1)] + Hidden;
            }
            builder.Query = string.Join('&', pairs);
        }
        var masked = builder.Uri.AbsoluteUri;
        // UriBuilder writes the default port and escapes *; neither should show.
        return masked.Replace("%2A%2A%2A", Hidden, StringComparison.Ordinal);
    }
}
