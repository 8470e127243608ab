using ComfyStudio.Services.Configuration;
using ComfyStudio.Web.Commands;
using ComfyStudio.Web.Hosting;
using Microsoft.Extensions.Options;

if (StudioCommands.IsCommand(args))
    return await StudioCommands.RunAsync(args);

// An update deployed a newer backend into STUDIO_DIR/backend: run it, and stay as its supervisor.
var studio = StudioOptions.From(new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build());
if (BackendLauncher.DeployedBackend(studio, Console.Error) is { } deployed
    && await BackendLauncher.SuperviseAsync(studio, deployed, args) is { } exitCode)
    return exitCode;

try
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = StudioHost.ContentRoot() });
    builder.AddStudio();

    var app = builder.Build();
    app.UseStudio();
    app.MapStudio();
    var restart = app.Services.GetRequiredService<IStudioRestart>();
    var restartMode = app.Configuration["RESTART_MODE"];
    try
    {
        await app.RunAsync();
    }
    catch (AggregateException e) when (restart.Requested)
    {
        // A service that did not stop cleanly must not keep the app from coming back: the restart goes on.
        Console.Error.WriteLine($"ComfyStudio: stopping for the restart: {e.Message}");
    }
    return restart.Requested ? await StudioRestart.CompleteAsync(restartMode, studio, args) : 0;
}
catch (OptionsValidationException e)
{
    Console.Error.WriteLine($"ComfyStudio did not start, a setting is wrong: {string.Join("; ", e.Failures)}");
    return 78; // EX_CONFIG
}

public partial class Program;
