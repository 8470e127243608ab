using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComfyStudio.Services.Workflows;
using ComfyStudio.Tests.ComfyUi;
using ComfyStudio.Tests.Fakes;

namespace ComfyStudio.Tests.Workflows;

/// <summary>Importing the workflow an image ComfyUI saved carries: a PNG uploaded, or an output of the History read from ComfyUI.</summary>
public sealed class PngImportTests : IClassFixture<GenerationTests.ComfyFactory>
{
    private readonly GenerationTests.ComfyFactory _factory;

    public PngImportTests(GenerationTests.ComfyFactory factory)
    {
        _factory = factory;
        foreach (var (name, entry) in WorkflowConverterTests.Read("object_info.json")) factory.ComfyUi.Classes[name] = entry?.DeepClone();
    }

    /// <summary>A PNG as ComfyUI's SaveImage writes it: the image, then <c>tEXt</c> chunks <c>prompt</c> and <c>workflow</c>.</summary>
    public static byte[] ComfyPng(string? prompt, string? workflow)
    {
        var png = FakeComfyUi.TinyPng;
        var iend = png.Length - 12;
        using var output = new MemoryStream();
        output.Write(png, 0, iend);
        foreach (var (key, text) in new[] { ("prompt", prompt), ("workflow", workflow) })
        {
            if (text is null) continue;
            var data = Encoding.Latin1.GetBytes(key + "\0" + text);
            var chunk = new byte[12 + data.Length];
            BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
            Encoding.ASCII.GetBytes("tEXt").CopyTo(chunk, 4);
            data.CopyTo(chunk, 8);
            BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
            output.Write(chunk);
        }
        output.Write(png, iend, 12);
        return output.ToArray();
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    [Fact]
    public void The_UI_format_is_preferred_and_the_prompt_serves_when_alone()
    {
        var ui = File.ReadAllText(Path.Combine(WorkflowConverterTests.DataDir, "lora_multiple_2023.ui.json"));
        var api = File.ReadAllText(Path.Combine(WorkflowConverterTests.DataDir, "lora_multiple_2023.api.json"));
        Assert.True(WorkflowConverter.IsUiFormat(PngWorkflow.Read(ComfyPng(api, ui))!));
        Assert.False(WorkflowConverter.IsUiFormat(PngWorkflow.Read(ComfyPng(api, null))!));
        Assert.Null(PngWorkflow.Read(FakeComfyUi.TinyPng));
        Assert.Null(PngWorkflow.Read("not a png at all"u8));
        Assert.Null(PngWorkflow.Read(ComfyPng("{not json", null)));
    }

    [Fact]
    public async Task An_uploaded_PNG_and_a_History_output_import_as_user_workflows()
    {
        var client = _factory.CreateKeyClient();
        var ui = File.ReadAllText(Path.Combine(WorkflowConverterTests.DataDir, "flux_kontext_primitive_bypass.ui.json"));
        var api = File.ReadAllText(Path.Combine(WorkflowConverterTests.DataDir, "flux_kontext_primitive_bypass.api.json"));
        var content = new ByteArrayContent(ComfyPng(api, ui));
        content.Headers.ContentType = new("image/png");
        var saved = await (await client.PostAsync("/api/workflows/import?name=Kontext%20from%20a%20PNG", content)).Content.ReadFromJsonAsync<JsonElement>();
        var id = saved.GetProperty("id").GetString();
        Assert.StartsWith("kontext_from_a_png", id);
        var asSaved = await client.GetFromJsonAsync<JsonElement>($"/api/workflows/{id}?format=ui");
        Assert.Equal(JsonValueKind.Array, asSaved.GetProperty("workflow").GetProperty("nodes").ValueKind);

        _factory.ComfyUi.AddFile("output", "", "ComfyUI_00042_.png", ComfyPng(api, null));
        var fromHistory = await client.PostAsJsonAsync("/api/workflows/import", new { filename = "ComfyUI_00042_.png", type = "output" });
        var imported = await fromHistory.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(fromHistory.IsSuccessStatusCode, imported.ToString());
        var detail = await client.GetFromJsonAsync<JsonElement>($"/api/workflows/{imported.GetProperty("id").GetString()}");
        Assert.Equal(("ComfyUI_00042_", "api"), (detail.GetProperty("entry").GetProperty("name").GetString(), detail.GetProperty("entry").GetProperty("format").GetString()));

        var bare = new ByteArrayContent(FakeComfyUi.TinyPng);
        bare.Headers.ContentType = new("image/png");
        await ErrorAssert.IsErrorBody(await client.PostAsync("/api/workflows/import", bare), HttpStatusCode.BadRequest, "INVALID_WORKFLOW");
        await ErrorAssert.IsErrorBody(await client.PostAsJsonAsync("/api/workflows/import", new { filename = "../../etc/passwd" }), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await client.PostAsJsonAsync("/api/workflows/import", new { filename = "absent.png" }), HttpStatusCode.NotFound, "NOT_FOUND");
        await ErrorAssert.IsErrorBody(await client.PostAsync("/api/workflows/import", new StringContent("{", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }
}
