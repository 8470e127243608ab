using System.Net;
using ComfyStudio.Tests.Infrastructure;
using ComfyStudio.Web.Commands;

namespace ComfyStudio.Tests.Auth;

public sealed class CommandTests(StudioFactory factory) : IClassFixture<StudioFactory>
{
    [Fact]
    public async Task Generate_key_prints_a_working_key_stored_only_as_a_hash_and_revoke_key_ends_it()
    {
        _ = factory.Server; // the app owns the data folder; the command works on the same one
        var output = new StringWriter();
        var name = "cli-" + Guid.NewGuid().ToString("n")[..6];
        var code = await StudioCommands.RunAsync(["generate-key", "--name", name, "--studio-dir", factory.DataDir], output, new StringWriter());
        Assert.Equal(0, code);
        var key = output.ToString().Trim();
        Assert.StartsWith("cs_", key);

        Assert.Equal(HttpStatusCode.OK, (await factory.CreateKeyClient(key).GetAsync("/api/admin/events")).StatusCode);
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<ComfyStudio.Services.Data.StudioDbContext>>().CreateDbContextAsync())
        {
            var row = await db.ApiKeys.SingleAsync(k => k.Name == name);
            Assert.NotEqual(key, row.Hash);
            Assert.DoesNotContain(key, row.Hash + row.Prefix + row.Name);
        }

        var listed = new StringWriter();
        Assert.Equal(0, await StudioCommands.RunAsync(["list-keys", "--studio-dir", factory.DataDir], listed, new StringWriter()));
        Assert.Contains(name, listed.ToString());
        Assert.DoesNotContain(key, listed.ToString());

        Assert.Equal(0, await StudioCommands.RunAsync(["revoke-key", "--name", name, "--studio-dir", factory.DataDir], new StringWriter(), new StringWriter()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateKeyClient(key).GetAsync("/api/admin/events")).StatusCode);
    }

    [Fact]
    public async Task Bad_command_input_is_refused_with_a_message()
    {
        var error = new StringWriter();
        Assert.NotEqual(0, await StudioCommands.RunAsync(["generate-key", "--studio-dir", factory.DataDir], new StringWriter(), error));
        error = new StringWriter();
        Assert.Equal(1, await StudioCommands.RunAsync(["generate-key", "--name", "bad name!", "--studio-dir", factory.DataDir], new StringWriter(), error));
        Assert.Contains("name must be", error.ToString());
    }
}
