using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Tests.Logging;

public sealed class SecretRedactorTests
{
    private static SecretRedactor Redactor() => new(Options.Create(new StudioOptions
    {
        ApiKey = "primary-key-abcdef", HfToken = "hf_token_123456", CivitaiApiKey = "civ-key-987654",
    }));

    [Theory]
    [InlineData("key primary-key-abcdef used", "key *** used")]
    [InlineData("GET /ws?api_key=anything-at-all&x=1", "GET /ws?api_key=***&x=1")]
    [InlineData("https://civitai.com/api/download/1?token=whatever", "https://civitai.com/api/download/1?token=***")]
    [InlineData("Authorization: Bearer eyJhbGciOi.abc", "Authorization: Bearer ***")]
    [InlineData("hf_token_123456 and civ-key-987654", "*** and ***")]
    [InlineData("nothing secret here", "nothing secret here")]
    public void Known_secrets_and_credential_shapes_are_masked(string input, string expected) =>
        Assert.Equal(expected, Redactor().Redact(input));

    [Fact]
    public void Secrets_added_later_are_masked_and_tiny_values_are_ignored()
    {
        var r = Redactor();
        r.Add("cs_new_named_key_value");
        r.Add("ab");
        Assert.Equal("x *** y ab", r.Redact("x cs_new_named_key_value y ab"));
    }
}

public sealed class GeneratedKeyShapeTests
{
    [Fact]
    public void A_key_of_this_apps_shape_is_masked_even_when_unknown() =>
        Assert.Equal("key *** end", new SecretRedactor(Options.Create(new StudioOptions()))
            .Redact("key cs_RJfIV6Rf70ZTDmWARrLYYmKJoS263s6R7-vg8gUUInA end"));
}
