using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ComfyStudio.Services.Auth;

public static class AuthExtensions
{
    /// <summary>The key store, the login throttle, and loading the primary key at start.</summary>
    public static IHostApplicationBuilder AddStudioKeys(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddSingleton<LoginThrottle>();
        builder.Services.AddSingleton<LoginSessions>();
        builder.Services.AddHostedService<PrimaryKeyLoader>();
        return builder;
    }
}

/// <summary>
/// Loads the primary key after the database is ready. A key generated now is written once to the console
/// (standard output, not the log files), because nothing else can tell the owner what it is.
/// </summary>
internal sealed class PrimaryKeyLoader(ApiKeyStore keys) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var load = await keys.LoadAsync(cancellationToken);
        if (load.Generated is not { } generated) return;
        Console.WriteLine();
        if (load.Unusable is { } why)
        {
            Console.WriteLine($"  ComfyStudio could not use its configured API key: {why}.");
            Console.WriteLine($"  An API key is {ApiKeyRule.Description}. It generated a new one, shown only now:");
        }
        else
            Console.WriteLine("  ComfyStudio generated its API key on this first start. It is shown only now:");
        Console.WriteLine();
        Console.WriteLine($"      {generated}");
        Console.WriteLine();
        Console.WriteLine("  Use it to sign in and as the X-API-Key header. Set API_KEY to choose your own.");
        Console.WriteLine();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
