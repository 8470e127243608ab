using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ComfyStudio.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ComfyStudio.Tests.Api;

/// <summary>
/// The data folder (<c>STUDIO_DIR</c>) on a small tmpfs that fills up: writes answer 507 naming the folder, reads keep
/// working, and writes work again once there is room.
/// </summary>
public sealed class DataFolderFullTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _mount = TestPaths.NewTempDir("full-studio-dir");
    private bool _mounted;

    private static int Run(string file, params string[] args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            p.WaitForExit(10_000);
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    public void Dispose()
    {
        if (_mounted) Run("umount", "-l", _mount);
        TestPaths.TryDelete(_mount);
    }

    [Fact]
    public async Task A_full_data_folder_answers_507_on_writes_keeps_reads_and_recovers()
    {
        _mounted = OperatingSystem.IsLinux() && Run("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", _mount) == 0;
        if (!_mounted)
        {
            // Mounting needs root (CI runs as root); elsewhere the case cannot be set up.
            output.WriteLine("tmpfs could not be mounted here: the full-disk case was not exercised");
            return;
        }
        await using var host = new KeyedFactory(_mount, StudioFactory.PrimaryKey);
        var client = host.CreateKeyClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/admin/keys")).StatusCode);

        var filler = Path.Combine(_mount, "filler.bin");
        await FillAsync(filler);

        // Writes until the database needs a page it cannot have (its journal may still hold room for a few).
        HttpResponseMessage? full = null;
        for (var i = 0; i < 200 && full is null; i++)
        {
            var response = await client.PutAsJsonAsync("/api/admin/settings/env", new { key = "HF_TOKEN", value = $"hf_{i}_" + new string('x', 3000) });
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.InsufficientStorage,
                $"write {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            if (response.StatusCode == HttpStatusCode.InsufficientStorage) full = response;
        }
        Assert.NotNull(full);
        var body = await ErrorAssert.IsErrorBody(full, HttpStatusCode.InsufficientStorage, "INSUFFICIENT_STORAGE");
        Assert.Contains("STUDIO_DIR", body.GetProperty("error").GetProperty("message").GetString());
        Assert.DoesNotContain(_mount, body.ToString());
        await ErrorAssert.IsErrorBody(await client.PostAsJsonAsync("/api/admin/keys", new { name = "while-full" }), HttpStatusCode.InsufficientStorage, "INSUFFICIENT_STORAGE");

        // Reads go on.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/admin/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/admin/settings/env")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/health")).StatusCode);

        // Room again: writes work without a restart.
        File.Delete(filler);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/admin/keys", new { name = "after-full" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/admin/settings/env", new { key = "HF_TOKEN", value = "hf_after" })).StatusCode);
    }

    private static async Task FillAsync(string path)
    {
        var block = new byte[64 * 1024];
        await using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        try
        {
            while (true) await stream.WriteAsync(block);
        }
        catch (IOException)
        {
            // The volume is full.
        }
        try
        {
            // Single bytes too: no block of free space is left.
            while (true) stream.WriteByte(0);
        }
        catch (IOException)
        {
        }
    }
}
