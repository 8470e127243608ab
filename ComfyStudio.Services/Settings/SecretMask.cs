namespace ComfyStudio.Services.Settings;

/// <summary>How a secret is shown (the System API's rule): enough to recognise it, never enough to use it.</summary>
public static class SecretMask
{
    /// <summary>Empty stays empty; up to 4 characters → <c>***</c>; up to 8 → first 2 + <c>***</c>; longer → first 4 + <c>***</c> + last 4.</summary>
    public static string Mask(string? value) => value switch
    {
        null or "" => "",
        { Length: <= 4 } => "***",
        { Length: <= 8 } => value[..2] + "***",
        _ => value[..4] + "***" + value[^4..],
    };
}
