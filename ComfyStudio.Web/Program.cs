using ComfyStudio.Web.Commands;
using ComfyStudio.Web.Hosting;

if (StudioCommands.IsCommand(args))
    return await StudioCommands.RunAsync(args);

StudioRestart.WaitForPreviousProcess(); // a restarted process binds the port its predecessor held

var builder = WebApplication.CreateBuilder(args);
builder.AddStudio();

var app = builder.Build();
app.UseStudio();
app.MapStudio();
var restart = app.Services.GetRequiredService<IStudioRestart>();
var restartMode = app.Configuration["RESTART_MODE"];
await app.RunAsync();
return restart.Requested ? StudioRestart.Complete(restartMode) : 0;

public partial class Program;
