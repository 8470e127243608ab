namespace ComfyStudio.Services.Auth;

/// <summary>
/// A key generated at this start, written once to the console (standard output, not the log files), because
/// nothing else can tell the owner what it is. Written after the start-up lines, where it stays in view.
/// </summary>
public static class PrimaryKeyBanner
{
    public static void Write(TextWriter console, PrimaryKeyLoad load)
    {
        if (load.Generated is not { } generated) return;
        console.WriteLine();
        if (load.Unusable is { } why)
        {
            console.WriteLine($"  ComfyStudio could not use its configured API key: {why}.");
            console.WriteLine($"  An API key is {ApiKeyRule.Description}. It generated a new one, shown only now:");
        }
        else
            console.WriteLine("  ComfyStudio generated its API key on this first start. It is shown only now:");
        console.WriteLine();
        console.WriteLine($"      {generated}");
        console.WriteLine();
        console.WriteLine("  Use it to sign in and as the X-API-Key header. Set API_KEY to choose your own.");
        console.WriteLine();
    }
}
