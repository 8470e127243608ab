using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace ComfyStudio.Services.Data;

/// <summary>Brings the schema up to date before anything else starts.</summary>
internal sealed class DatabaseMigrator(IDbContextFactory<StudioDbContext> factory) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => factory.PrepareDatabaseAsync(cancellationToken);
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
