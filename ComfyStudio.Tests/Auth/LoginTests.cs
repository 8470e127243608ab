using System.Net;
using ComfyStudio.Services.Auth;
using ComfyStudio.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ComfyStudio.Tests.Auth;

public sealed class LoginTests(StudioFactory factory) : IClassFixture<StudioFactory>
{
    private HttpClient Browser() => factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    [Fact]
    public async Task The_right_key_sets_a_strict_http_only_cookie_that_opens_pages_and_hangfire_and_logout_closes_them()
    {
        var browser = Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/hangfire")).StatusCode);

        var login = await LoginForm.SubmitAsync(browser, StudioFactory.PrimaryKey, "/events");
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/events", login.Headers.Location!.OriginalString);
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("comfystudio.auth=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("expires=", cookie, StringComparison.OrdinalIgnoreCase);

        var page = await browser.GetAsync("/events");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("ComfyStudio", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/admin/events")).StatusCode);

        var logout = await LoginForm.LogoutAsync(browser);
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal("/login", PathOf((await browser.GetAsync("/")).Headers.Location!));
        Assert.Equal("/login", PathOf((await browser.GetAsync("/hangfire")).Headers.Location!));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/admin/events")).StatusCode);
    }

    private static string PathOf(Uri u) => u.IsAbsoluteUri ? u.AbsolutePath : u.OriginalString.Split('?')[0];

    [Fact]
    public async Task A_cookie_copied_before_logout_stops_working_after_it()
    {
        var browser = Browser();
        var login = await LoginForm.SubmitAsync(browser, StudioFactory.PrimaryKey);
        var stolen = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("comfystudio.auth=", StringComparison.Ordinal)).Split(';')[0];
        var thief = factory.CreateAnonymousClient();
        thief.DefaultRequestHeaders.Add("Cookie", stolen);
        Assert.Equal(HttpStatusCode.OK, (await thief.GetAsync("/api/admin/events")).StatusCode);

        await LoginForm.LogoutAsync(browser);
        await ErrorAssert.IsErrorBody(await thief.GetAsync("/api/admin/events"), HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.Equal("/login", PathOf((await thief.GetAsync("/events")).Headers.Location!));

        // A new login is a new session.
        var again = Browser();
        await LoginForm.SubmitAsync(again, StudioFactory.PrimaryKey);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/api/admin/events")).StatusCode);
    }

    [Fact]
    public async Task An_api_key_does_not_open_the_hangfire_dashboard()
    {
        var response = await factory.CreateKeyClient().GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login", PathOf(response.Headers.Location!));
    }

    [Theory]
    [InlineData("//evil.example/steal")]
    [InlineData("/\\evil.example")]
    [InlineData("/\t/evil.example")]
    [InlineData("/\n/evil.example")]
    [InlineData("https://evil.example/")]
    public async Task A_return_url_off_the_site_is_ignored(string returnUrl)
    {
        var login = await LoginForm.SubmitAsync(Browser(), StudioFactory.PrimaryKey, returnUrl);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task The_login_page_survives_junk_in_its_query()
    {
        var page = await Browser().GetAsync("/login?error=throttled&retry=abc&ReturnUrl=%00");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Try again in 60 seconds", await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_empty_bearer_header_does_not_hide_a_valid_login_cookie()
    {
        var browser = Browser();
        await LoginForm.SubmitAsync(browser, StudioFactory.PrimaryKey);
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/admin/events");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer ");
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task A_session_opened_with_a_named_key_cannot_manage_keys()
    {
        var key = await factory.Services.GetRequiredService<ApiKeyStore>().CreateAsync("limited-" + Guid.NewGuid().ToString("n")[..6]);
        var browser = Browser();
        await LoginForm.SubmitAsync(browser, key);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/admin/events")).StatusCode);
        await ErrorAssert.IsErrorBody(await browser.GetAsync("/api/admin/keys"), HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    [Fact]
    public async Task A_wrong_key_is_refused_and_repeated_failures_lock_the_client_out_even_with_the_right_key()
    {
        // The test server has no remote address: this test owns the "local" client's throttle record.
        var throttle = factory.Services.GetRequiredService<LoginThrottle>();
        throttle.Forget("local");
        var browser = Browser();
        for (var i = 1; i < LoginThrottle.MaxFailures; i++)
        {
            var wrong = await LoginForm.SubmitAsync(browser, "wrong-key-" + i);
            Assert.Equal(HttpStatusCode.Redirect, wrong.StatusCode);
            Assert.Contains("error=invalid", wrong.Headers.Location!.OriginalString);
            Assert.DoesNotContain(wrong.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith("comfystudio.auth=", StringComparison.Ordinal)));
        }
        var locking = await LoginForm.SubmitAsync(browser, "wrong-key-last");
        Assert.Contains("error=throttled", locking.Headers.Location!.OriginalString);
        Assert.True(int.Parse(locking.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture) >= 59);

        var right = await LoginForm.SubmitAsync(browser, StudioFactory.PrimaryKey);
        Assert.Contains("error=throttled", right.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/")).StatusCode);

        var page = await browser.GetStringAsync("/login?error=throttled&retry=60");
        Assert.Contains("Too many failed attempts", page);
        throttle.Forget("local");
    }

    [Fact]
    public async Task A_session_opened_with_a_named_key_ends_when_the_key_is_revoked()
    {
        var keys = factory.Services.GetRequiredService<ApiKeyStore>();
        var name = "session-" + Guid.NewGuid().ToString("n")[..6];
        var key = await keys.CreateAsync(name);
        var browser = Browser();
        await LoginForm.SubmitAsync(browser, key);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/events")).StatusCode);
        await keys.RevokeAsync(name);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/events")).StatusCode);
    }
}
