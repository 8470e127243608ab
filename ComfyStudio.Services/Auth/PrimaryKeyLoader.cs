using Microsoft.Extensions.Hosting;

namespace ComfyStudio.Services.Auth;

/// <summary>Loads the primary key after the database is ready (the start-up announcer shows a generated one).</summary>
internal sealed class PrimaryKeyLoader(ApiKeyStore keys) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => keys.LoadAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
