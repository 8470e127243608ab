using System.Net;
using System.Text.RegularExpressions;

namespace ComfyStudio.Tests.Infrastructure;

/// <summary>Submits the real login form (with its antiforgery token) the way a browser does.</summary>
public static partial class LoginForm
{
    public static async Task<HttpResponseMessage> SubmitAsync(HttpClient client, string key, string returnUrl = "/")
    {
        var page = await client.GetStringAsync("/login");
        var token = AntiforgeryField().Match(page);
        Assert.True(token.Success, "the login page carries an antiforgery token");
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
            ["api_key"] = key,
            ["return_url"] = returnUrl,
        });
        return await client.PostAsync("/auth/login", form);
    }

    public static async Task<HttpResponseMessage> LogoutAsync(HttpClient client)
    {
        var page = await client.GetStringAsync("/login");
        var token = AntiforgeryField().Match(page).Groups[1].Value;
        return await client.PostAsync("/auth/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
        }));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
