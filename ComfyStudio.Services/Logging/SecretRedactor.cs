using System.Collections.Immutable;
using System.Text.RegularExpressions;
using ComfyStudio.Services.Configuration;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Logging;

/// <summary>
/// Removes secrets from text bound for a log: every secret value the app knows (API keys, tokens) and
/// anything that looks like a credential in a URL or header (<c>api_key=</c>, <c>token=</c>, <c>Bearer …</c>).
/// </summary>
public sealed partial class SecretRedactor
{
    public const string Mask = "***";
    private ImmutableArray<string> _secrets = [];

    public SecretRedactor(IOptions<StudioOptions> options)
    {
        var o = options.Value;
        foreach (var s in new[] { o.ApiKey, o.CivitaiApiKey, o.HfToken, o.TelegramBotToken, o.RunPodApiKey })
            Add(s);
    }

    /// <summary>Adds a value that must never be written out (values under 4 characters are left alone).</summary>
    public void Add(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < 4) return;
        ImmutableInterlocked.Update(ref _secrets, list => list.Contains(secret) ? list : list.Add(secret).Sort((a, b) => b.Length.CompareTo(a.Length)));
    }

    public string Redact(string text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        foreach (var s in _secrets)
            if (text.Contains(s, StringComparison.Ordinal))
                text = text.Replace(s, Mask, StringComparison.Ordinal);
        text = CredentialPattern().Replace(text, m => m.Groups["name"].Value + Mask);
        return StudioKeyPattern().Replace(text, Mask);
    }

    [GeneratedRegex(@"(?<name>(?:[?&](?:api_key|apikey|token|key|access_token)=)|(?:Bearer\s+)|(?:X-API-Key[""']?\s*[:=]\s*[""']?))[^\s&""',;]+",
        RegexOptions.IgnoreCase)]
    private static partial Regex CredentialPattern();

    /// <summary>The shape of the keys this app generates (<c>cs_</c> + 43 base64url characters).</summary>
    [GeneratedRegex(@"\bcs_[A-Za-z0-9_-]{20,}")]
    private static partial Regex StudioKeyPattern();
}
