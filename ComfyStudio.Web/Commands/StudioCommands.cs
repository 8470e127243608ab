using System.CommandLine;
using ComfyStudio.Services.Auth;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Data;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Logging;
using Microsoft.EntityFrameworkCore;

namespace ComfyStudio.Web.Commands;

/// <summary>
/// The app's commands, run instead of the server: <c>generate-key --name NAME</c>, <c>revoke-key --name NAME</c>,
/// <c>list-keys</c>, <c>set-key</c> (the primary key, from standard input or <c>--generate</c>d). They use the same data folder as the server (<c>STUDIO_DIR</c>, or <c>--studio-dir</c>).
/// </summary>
public static class StudioCommands
{
    private static readonly string[] Names = ["generate-key", "revoke-key", "list-keys", "set-key", "backend-path"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Names.Contains(args[0]);

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null, TextReader? input = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        input ??= Console.In;
        var studioDir = new Option<string?>("--studio-dir") { Description = "Data folder (default: STUDIO_DIR or its default)" };
        var name = new Option<string>("--name") { Description = "The key's name", Required = true };

        var generate = new Command("generate-key", "Create a named API key and print it (shown only this once)") { name, studioDir };
        generate.SetAction((r, ct) => WithKeysAsync(r.GetValue(studioDir), error, async keys =>
        {
            var key = await keys.CreateAsync(r.GetValue(name)!, ct);
            await output.WriteLineAsync(key);
            await error.WriteLineAsync($"Created API key '{r.GetValue(name)}'. Store it now: it is not shown again.");
        }));

        var revoke = new Command("revoke-key", "Revoke a named API key") { name, studioDir };
        revoke.SetAction((r, ct) => WithKeysAsync(r.GetValue(studioDir), error, async keys =>
        {
            await keys.RevokeAsync(r.GetValue(name)!, ct);
            await output.WriteLineAsync($"Revoked API key '{r.GetValue(name)}'.");
        }));

        var list = new Command("list-keys", "List the named API keys (never the keys themselves)") { studioDir };
        list.SetAction((r, ct) => WithKeysAsync(r.GetValue(studioDir), error, async keys =>
        {
            foreach (var k in await keys.ListAsync(ct))
                await output.WriteLineAsync($"{k.Name}\t{k.Prefix}…\tcreated {k.CreatedAt.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)}Z\tlast used {(k.LastUsedAt is { } l ? l.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) + "Z" : "never")}");
        }));

        var generateMain = new Option<bool>("--generate") { Description = "Generate a strong key instead of reading one" };
        var setKey = new Command("set-key",
            $"Set the main API key: read from standard input (one line; an API key is {ApiKeyRule.Description}), or generated and printed. " +
            "It takes the place of API_KEY and of a key saved from Settings; a running server uses it after its next start")
            { generateMain, studioDir };
        setKey.SetAction((r, ct) => WithKeysAsync(r.GetValue(studioDir), error, async keys =>
        {
            var generated = r.GetValue(generateMain);
            var key = generated ? ApiKeyStore.NewPrimaryKey() : (await input.ReadLineAsync(ct))?.Trim() ?? "";
            await keys.SetPrimaryKeyAsync(key, ct);
            if (generated) await output.WriteLineAsync(key);
            await error.WriteLineAsync(generated
                ? "The main API key is set to the key above. Store it now: it is not shown again."
                : "The main API key is set.");
        }));

        var backendPath = new Command("backend-path", "Print the backend to start: the one an update deployed when this runtime supports it, else this build (the Docker entrypoint uses it)") { studioDir };
        backendPath.SetAction(async (r, ct) =>
        {
            var builder = new ConfigurationBuilder().AddEnvironmentVariables();
            if (r.GetValue(studioDir) is { Length: > 0 } dir) builder.AddInMemoryCollection([new("STUDIO_DIR", dir)]);
            var studio = StudioOptions.From(builder.Build());
            var dll = Hosting.BackendLauncher.DeployedBackend(studio, error) ?? Hosting.BackendLauncher.BuiltIn;
            await output.WriteLineAsync(dll);
            return 0;
        });

        var root = new RootCommand("ComfyStudio: run with no arguments to start the server") { generate, revoke, list, setKey, backendPath };
        var config = new InvocationConfiguration { Output = output, Error = error };
        return await root.Parse(args).InvokeAsync(config);
    }

    private static async Task<int> WithKeysAsync(string? studioDir, TextWriter error, Func<ApiKeyStore, Task> action)
    {
        var builder = Host.CreateApplicationBuilder();
        if (!string.IsNullOrEmpty(studioDir)) builder.Configuration["STUDIO_DIR"] = studioDir;
        builder.Logging.ClearProviders();
        var studio = builder.AddStudioConfiguration();
        builder.Services.AddSingleton<SecretRedactor>();
        builder.AddStudioData(studio);
        builder.AddStudioEvents();
        builder.AddStudioKeys();
        using var host = builder.Build();
        await host.Services.GetRequiredService<IDbContextFactory<StudioDbContext>>().PrepareDatabaseAsync();
        var log = host.Services.GetRequiredService<EventLog>();
        await log.StartAsync(CancellationToken.None);
        try
        {
            await action(host.Services.GetRequiredService<ApiKeyStore>());
            return 0;
        }
        catch (StudioException e)
        {
            await error.WriteLineAsync(e.Message);
            return 1;
        }
        finally
        {
            await Task.Delay(200); // let the event log record the key event
            await log.StopAsync(CancellationToken.None);
        }
    }
}
