using System.Net;
using System.Text.Json;
using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.Api;

public sealed class HealthTests(StudioFactory factory) : IClassFixture<StudioFactory>
{
    [Fact]
    public async Task Spec_b_health_is_public_with_its_shape()
    {
        var response = await factory.CreateAnonymousClient().GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("healthy", json.GetProperty("status").GetString());
        Assert.Equal("comfystudio", json.GetProperty("service").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("version").GetString()));
        Assert.EndsWith("Z", json.GetProperty("timestamp").GetString());
    }

    [Fact]
    public async Task Spec_a_health_is_public_with_its_shape()
    {
        var response = await factory.CreateAnonymousClient().GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"ok"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Api_responses_name_the_served_version_and_refuse_unknown_ones()
    {
        var client = factory.CreateKeyClient();
        var ok = await client.GetAsync("/api/health");
        Assert.Equal("2.0.0", ok.Headers.GetValues("X-API-Version").Single());

        var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        request.Headers.Add("X-API-Version", "2.0.0");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);

        request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        request.Headers.Add("X-API-Version", "9.1.0");
        await ErrorAssert.IsErrorBody(await client.SendAsync(request), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task The_database_has_the_platform_tables_in_wal_mode()
    {
        using var scope = factory.Services.CreateScope();
        var dbFactory = scope.ServiceProvider.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<ComfyStudio.Services.Data.StudioDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync();
        var conn = db.Database.GetDbConnection();
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT name FROM sqlite_master WHERE type='table'";
        var tables = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        Assert.Superset(new HashSet<string> { "jobs", "events", "settings", "saved_prompts", "api_keys" }, tables.ToHashSet());
        cmd.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await cmd.ExecuteScalarAsync());
        cmd.CommandText = "PRAGMA foreign_keys";
        Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!);
        cmd.CommandText = "PRAGMA busy_timeout";
        Assert.Equal(5000L, (long)(await cmd.ExecuteScalarAsync())!);
        Assert.True(File.Exists(Path.Combine(factory.DataDir, "database", "studio.db")));
    }
}
