namespace ComfyStudio.Services.Auth;

/// <summary>
/// What a primary API key may be, in one place: 8 to 512 characters, each printable ASCII without spaces
/// (<c>!</c> to <c>~</c>), so it fits every header, URL and terminal it travels through. Applied where a key is set
/// (Settings, <c>API_KEY</c> at start, the <c>set-key</c> command) and where one is checked.
/// </summary>
public static class ApiKeyRule
{
    public const int MinLength = 8;
    public const int MaxLength = 512;

    public const string Description = "8 to 512 characters of printable ASCII: letters, digits and punctuation, no spaces";

    /// <summary>What is wrong with <paramref name="key"/>, or null when it is a valid key.</summary>
    public static string? Problem(string? key)
    {
        if (string.IsNullOrEmpty(key)) return "is empty";
        if (key.Length < MinLength) return $"is {key.Length} characters; an API key must be at least {MinLength}";
        if (key.Length > MaxLength) return $"is {key.Length} characters; an API key may have at most {MaxLength}";
        if (key.Any(c => c is < '!' or > '~')) return "may only contain printable ASCII letters, digits and punctuation (no spaces or other characters)";
        return null;
    }

    public static bool IsValid([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? key) => Problem(key) is null;
}
