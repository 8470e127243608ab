using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ComfyStudio.Services.Downloads;

public static class DownloadsExtensions
{
    /// <summary>The download engine: its HTTP client (no automatic redirects, no decompression, no overall time-out), the transfer and the job.</summary>
    public static IHostApplicationBuilder AddStudioDownloads(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DownloadOptions>().BindConfiguration(DownloadOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ModelHosts>();
        builder.Services.AddSingleton<IFreeSpace, VolumeFreeSpace>();
        builder.Services.AddSingleton<ModelFolder>();
        builder.Services.AddSingleton<DiskSpace>();
        builder.Services.AddHttpClient<DownloadHttp>(DownloadHttp.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false, // each hop gets its own host's token, never another's
                AutomaticDecompression = DecompressionMethods.None,
                MaxConnectionsPerServer = 256,
                ConnectTimeout = TimeSpan.FromSeconds(30),
                PooledConnectionLifetime = TimeSpan.FromMinutes(10),
                EnableMultipleHttp2Connections = true,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        builder.Services.AddTransient<FileTransfer>();
        builder.Services.AddSingleton<SpeedProbe>();
        builder.Services.AddSingleton<DownloadEngine>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DownloadEngine>());
        builder.Services.AddTransient<DownloadJob>();
        return builder;
    }
}
