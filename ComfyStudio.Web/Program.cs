using ComfyStudio.Web.Commands;
using ComfyStudio.Web.Hosting;

if (StudioCommands.IsCommand(args))
    return await StudioCommands.RunAsync(args);

var builder = WebApplication.CreateBuilder(args);
builder.AddStudio();

var app = builder.Build();
app.UseStudio();
app.MapStudio();
await app.RunAsync();
return 0;

public partial class Program;
