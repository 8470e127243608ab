using System.Text.Json;

namespace ComfyStudio.Tests.Api;

/// <summary>The OpenAPI document describes each operation's answers: what a success returns and that failures are the error body.</summary>
public sealed class OpenApiDocumentTests(StudioFactory factory) : IClassFixture<StudioFactory>
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    [Fact]
    public async Task Every_operation_has_a_success_schema_and_the_error_body_for_its_failures()
    {
        using var doc = JsonDocument.Parse(await factory.CreateKeyClient().GetStringAsync("/openapi/v1.json"));
        var lacking = new List<string>();
        var operations = 0;
        foreach (var path in doc.RootElement.GetProperty("paths").EnumerateObject())
        foreach (var op in path.Value.EnumerateObject().Where(o => Methods.Contains(o.Name)))
        {
            operations++;
            var name = $"{op.Name.ToUpperInvariant()} {path.Name}";
            var responses = op.Value.GetProperty("responses").EnumerateObject().ToList();
            var successes = responses.Where(r => r.Name.StartsWith('2')).ToList();
            if (successes.Count == 0 || successes.Any(r => !HasSchema(r.Value)))
                lacking.Add($"{name}: no schema for its success ({string.Join(",", successes.Select(r => r.Name))})");
            if (!responses.Any(r => r.Name == "default"))
                lacking.Add($"{name}: no default (error) answer");
            foreach (var failure in responses.Where(r => !r.Name.StartsWith('2')))
                if (!IsErrorBody(failure.Value))
                    lacking.Add($"{name}: {failure.Name} is not the error body");
        }
        Assert.True(operations > 30, $"only {operations} operations in the document");
        Assert.True(lacking.Count == 0, string.Join("\n", lacking));
    }

    [Fact]
    public async Task Answers_are_named_schemas_with_snake_case_properties()
    {
        using var doc = JsonDocument.Parse(await factory.CreateKeyClient().GetStringAsync("/openapi/v1.json"));
        var schemas = doc.RootElement.GetProperty("components").GetProperty("schemas");
        var download = schemas.GetProperty("DownloadResource").GetProperty("properties");
        Assert.True(download.TryGetProperty("speed_mbps", out _));
        Assert.True(download.TryGetProperty("files_completed", out _));
        Assert.True(schemas.GetProperty("ErrorBody").GetProperty("properties").TryGetProperty("error", out _));
        foreach (var schema in schemas.EnumerateObject())
            if (schema.Value.TryGetProperty("properties", out var properties))
                foreach (var p in properties.EnumerateObject())
                    Assert.True(p.Name == p.Name.ToLowerInvariant(), $"{schema.Name}.{p.Name} is not snake_case");
    }

    private static bool HasSchema(JsonElement response) =>
        response.TryGetProperty("content", out var content)
        && content.EnumerateObject().Any()
        && content.EnumerateObject().All(c => c.Value.TryGetProperty("schema", out var s) && s.EnumerateObject().Any());

    private static bool IsErrorBody(JsonElement response) =>
        response.TryGetProperty("content", out var content)
        && content.EnumerateObject().Any()
        && content.EnumerateObject().All(c => c.Value.TryGetProperty("schema", out var s)
            && s.TryGetProperty("$ref", out var r) && r.GetString() == "#/components/schemas/ErrorBody");
}
