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
