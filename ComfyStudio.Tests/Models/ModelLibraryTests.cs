using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComfyStudio.Services.Models;

namespace ComfyStudio.Tests.Models;

/// <summary>Model files generated in the test: what each is, read from its header, and the Dashboard API's model routes over them.</summary>
public sealed class ModelLibraryTests(StudioFactory factory) : IClassFixture<StudioFactory>
{
    /// <summary>A safetensors file: the 8-byte length, the JSON header (padded to 8 bytes) and the tensors' bytes.</summary>
    public static byte[] Safetensors(IReadOnlyDictionary<string, string>? metadata = null, int tensors = 2, int floatsEach = 16,
        Func<JsonObject, JsonObject>? tamper = null)
    {
        var header = new JsonObject();
        if (metadata is not null) header["__metadata__"] = new JsonObject([.. metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]);
        long offset = 0;
        for (var i = 0; i < tensors; i++)
        {
            header[$"model.layer{i}.weight"] = new JsonObject
            {
                ["dtype"] = "F32", ["shape"] = new JsonArray(floatsEach), ["data_offsets"] = new JsonArray(offset, offset + floatsEach * 4),
            };
            offset += floatsEach * 4;
        }
        if (tamper is not null) header = tamper(header);
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8;
        var file = new byte[8 + padded + offset];
        BitConverter.TryWriteBytes(file.AsSpan(0, 8), (ulong)padded);
        json.CopyTo(file, 8);
        for (var i = 8 + json.Length; i < 8 + padded; i++) file[i] = (byte)' ';
        Random.Shared.NextBytes(file.AsSpan(8 + padded));
        return file;
    }

    private string Write(string relative, byte[] bytes)
    {
        var path = Path.Combine(factory.ComfyUiDir, "models", relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static ModelInspection InspectBytes(byte[] bytes, string extension = ".safetensors")
    {
        var path = Path.Combine(Path.GetTempPath(), "comfystudio-tests", Guid.NewGuid().ToString("n") + extension);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        try { return ModelFileInspector.Inspect(path); }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_valid_safetensors_file_reads_with_its_architecture_and_base_model()
    {
        var found = InspectBytes(Safetensors(new Dictionary<string, string> { ["modelspec.architecture"] = "stable-diffusion-xl-v1-base", ["ss_base_model_version"] = "sdxl_base_v1-0" }));
        Assert.True(found.Valid, found.Problem);
        Assert.Equal(ModelFormats.Safetensors, found.Format);
        Assert.Equal("stable-diffusion-xl-v1-base", found.Architecture);
        Assert.Equal("sdxl_base_v1-0", found.BaseModel);
    }

    [Fact]
    public void Truncation_a_lying_header_and_a_huge_header_length_are_caught_from_the_header_alone()
    {
        var whole = Safetensors();
        Assert.Contains("truncated", InspectBytes(whole[..^10]).Problem);
        Assert.Contains("beyond its last tensor", InspectBytes([.. whole, 0, 0, 0]).Problem);
        var gap = Safetensors(tamper: h => { h["model.layer1.weight"]!["data_offsets"] = new JsonArray(68, 132); h["model.layer1.weight"]!["shape"] = new JsonArray(16); return h; });
        Assert.Contains("lies about its offsets", InspectBytes(gap).Problem);
        var wrongSize = Safetensors(tamper: h => { h["model.layer0.weight"]!["shape"] = new JsonArray(17); return h; });
        Assert.Contains("claims", InspectBytes(wrongSize).Problem);
        var huge = new byte[64];
        BitConverter.TryWriteBytes(huge.AsSpan(0, 8), 200_000_000UL);
        Assert.Contains("not a safetensors file", InspectBytes(huge).Problem);
        Assert.Contains("shorter than", InspectBytes([1, 2, 3]).Problem);
        var notJson = new byte[16];
        BitConverter.TryWriteBytes(notJson.AsSpan(0, 8), 8UL);
        Assert.Contains("not a JSON object", InspectBytes(notJson).Problem);
    }

    [Fact]
    public void GGUF_is_read_by_its_magic_and_pickles_are_flagged()
    {
        var gguf = new byte[32];
        "GGUF"u8.CopyTo(gguf);
        BitConverter.TryWriteBytes(gguf.AsSpan(4, 4), 3u);
        var g = InspectBytes(gguf, ".gguf");
        Assert.Equal(ModelFormats.Gguf, g.Format);
        Assert.Equal("gguf v3", g.Architecture);
        var pickle = InspectBytes([0x80, 0x02, 0x7d, 0x71], ".ckpt");
        Assert.Equal(ModelFormats.Pickle, pickle.Format);
        Assert.True(pickle.MayRunCode);
    }

    [Fact]
    public async Task The_library_lists_ComfyUIs_folders_legacy_names_and_extra_roots_and_validates_quickly()
    {
        Write("checkpoints/list-good.safetensors", Safetensors());
        Write("checkpoints/list-cut.safetensors", Safetensors()[..^5]);
        Write("unet/list-legacy.safetensors", Safetensors());
        Write("loras/style/list-nested.safetensors", Safetensors());
        Write("checkpoints/list-notes.txt", [1, 2, 3]); // not a model file
        // A link out of the roots is not followed.
        var outside = Path.Combine(factory.DataDir, "outside-list.safetensors");
        File.WriteAllBytes(outside, Safetensors());
        File.CreateSymbolicLink(Path.Combine(factory.ComfyUiDir, "models", "checkpoints", "list-link-out.safetensors"), outside);
        // A linked folder is followed while it leads inside the roots, and not when it leads out.
        var outsideDir = Path.Combine(factory.DataDir, "outside-dir");
        Directory.CreateDirectory(outsideDir);
        File.WriteAllBytes(Path.Combine(outsideDir, "list-in-linked-out.safetensors"), Safetensors());
        Directory.CreateSymbolicLink(Path.Combine(factory.ComfyUiDir, "models", "checkpoints", "list-dir-out"), outsideDir);
        Write("pool/list-pooled.safetensors", Safetensors());
        Directory.CreateSymbolicLink(Path.Combine(factory.ComfyUiDir, "models", "checkpoints", "list-dir-in"), Path.Combine("..", "pool"));
        // An extra root, as a shared network volume is wired in.
        var shared = Path.Combine(factory.DataDir, "shared-volume");
        Directory.CreateDirectory(Path.Combine(shared, "models", "loras"));
        Directory.CreateDirectory(Path.Combine(shared, "more-loras"));
        Directory.CreateDirectory(Path.Combine(shared, "models", "unet"));
        File.WriteAllBytes(Path.Combine(shared, "models", "loras", "list-shared.safetensors"), Safetensors());
        File.WriteAllBytes(Path.Combine(shared, "more-loras", "list-second.safetensors"), Safetensors());
        var gguf = new byte[64];
        "GGUF"u8.CopyTo(gguf);
        BitConverter.TryWriteBytes(gguf.AsSpan(4, 4), 3u);
        File.WriteAllBytes(Path.Combine(shared, "models", "unet", "list-quant.gguf"), gguf);
        // ComfyUI's format: a base path, several folders for one key (one per line), a legacy key name.
        await File.WriteAllTextAsync(Path.Combine(factory.ComfyUiDir, "extra_model_paths.yaml"), $"""
            network:
                base_path: {shared}
                loras: |
                    models/loras
                    more-loras
                unet: models/unet
            """);

        var client = factory.CreateKeyClient();
        JsonElement list = default;
        await TestWait.UntilAsync(async () =>
        {
            list = await client.GetFromJsonAsync<JsonElement>("/api/models?search=list-&per_page=100");
            return list.GetProperty("total").GetInt32() == 9;
        }, 10, "the index to see the new files (the watcher marks it changed)");
        var models = list.GetProperty("models").EnumerateArray().ToDictionary(m => m.GetProperty("path").GetString()!);
        Assert.True(models.ContainsKey("checkpoints/list-good.safetensors"));
        Assert.Equal("diffusion_models", models["unet/list-legacy.safetensors"].GetProperty("type").GetString());
        Assert.Equal("loras", models["loras/style/list-nested.safetensors"].GetProperty("type").GetString());
        Assert.True(models.ContainsKey("network:loras/list-shared.safetensors"));
        Assert.True(models.ContainsKey("network:loras/list-second.safetensors"));
        Assert.Equal("gguf", models["network:diffusion_models/list-quant.gguf"].GetProperty("format").GetString());
        Assert.DoesNotContain("checkpoints/list-notes.txt", models.Keys);
        Assert.DoesNotContain("checkpoints/list-link-out.safetensors", models.Keys);
        Assert.DoesNotContain("checkpoints/list-dir-out/list-in-linked-out.safetensors", models.Keys);
        Assert.True(models.ContainsKey("checkpoints/list-dir-in/list-pooled.safetensors"));
        Assert.False(models["checkpoints/list-cut.safetensors"].GetProperty("valid").GetBoolean());
        Assert.Equal("safetensors", models["checkpoints/list-good.safetensors"].GetProperty("format").GetString());
        Assert.EndsWith("Z", models["checkpoints/list-good.safetensors"].GetProperty("modified").GetString());
        Assert.Equal(9, list.GetProperty("total").GetInt32()); // pool/ too: a folder ComfyUI does not name is listed by the model extensions

        // The search is a text, not a pattern: % and _ match only themselves.
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/api/models?search=%25")).GetProperty("total").GetInt32());
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/api/models?search=list_good")).GetProperty("total").GetInt32());
        var loras = await client.GetFromJsonAsync<JsonElement>("/api/models?type=loras&search=list-");
        Assert.Equal(3, loras.GetProperty("total").GetInt32());
        var paged = await client.GetFromJsonAsync<JsonElement>("/api/models?search=list-&per_page=2&page=2");
        Assert.Equal(2, paged.GetProperty("models").GetArrayLength());
        Assert.True(paged.GetProperty("has_prev").GetBoolean());

        // sort=size: the largest first; sort=date: the newest first; anything else is a 400.
        var bySize = (await client.GetFromJsonAsync<JsonElement>("/api/models?search=list-&per_page=100&sort=size")).GetProperty("models").EnumerateArray()
            .Select(m => m.GetProperty("size_bytes").GetInt64()).ToList();
        Assert.Equal(bySize.OrderDescending(), bySize);
        Assert.True(bySize[0] > bySize[^1]);
        File.SetLastWriteTimeUtc(Path.Combine(factory.ComfyUiDir, "models", "loras", "style", "list-nested.safetensors"), DateTime.UtcNow.AddMinutes(5));
        await TestWait.UntilAsync(async () => (await client.GetFromJsonAsync<JsonElement>("/api/models?search=list-&sort=date")).GetProperty("models")[0]
            .GetProperty("path").GetString() == "loras/style/list-nested.safetensors", 10, "the file touched last to come first by date");
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/models?sort=bigness"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/models?sort=1"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");

        var types = await client.GetFromJsonAsync<JsonElement>("/api/models/types");
        var counts = types.GetProperty("types").EnumerateArray().ToDictionary(t => t.GetProperty("id").GetString()!, t => t.GetProperty("count").GetInt32());
        Assert.True(counts["diffusion_models"] >= 1);
        Assert.Equal("Checkpoints", types.GetProperty("types")[0].GetProperty("name").GetString());

        var validation = await client.GetFromJsonAsync<JsonElement>("/api/models/validate?type=checkpoints");
        Assert.Contains(validation.GetProperty("errors").EnumerateArray(), e => e.GetProperty("path").GetString() == "checkpoints/list-cut.safetensors"
                                                                               && e.GetProperty("error").GetString()!.Contains("truncated"));
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/models?type=nonsense"), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task The_index_catches_files_added_and_removed_by_hand_and_rereads_only_what_changed()
    {
        var library = factory.Services.GetRequiredService<ModelLibrary>();
        var client = factory.CreateKeyClient();
        async Task<bool> Listed(string path) =>
            (await client.GetFromJsonAsync<JsonElement>("/api/models?search=index-&per_page=100")).GetProperty("models").EnumerateArray()
                .Any(m => m.GetProperty("path").GetString() == path);
        var a = Write("vae/index-a.safetensors", Safetensors());
        await TestWait.UntilAsync(() => Listed("vae/index-a.safetensors"), 10, "a file added by hand to be listed");
        Write("vae/index-b.safetensors", Safetensors());
        await library.RescanAsync();
        Assert.Equal(0, (await library.RescanAsync()).Reread); // nothing changed: no header read again
        File.WriteAllBytes(a, Safetensors(floatsEach: 32)); // changed by hand: a new size
        Assert.Equal(1, (await library.RescanAsync()).Reread);
        File.Delete(a);
        await TestWait.UntilAsync(async () => !await Listed("vae/index-a.safetensors"), 10, "a file removed by hand to leave the list");
        Assert.True(await Listed("vae/index-b.safetensors"));
    }

    [Fact]
    public async Task Delete_needs_confirm_refuses_what_climbs_out_and_frees_the_space()
    {
        var target = Write("checkpoints/delete-me.safetensors", Safetensors(floatsEach: 256));
        var outside = Path.Combine(factory.DataDir, "keep-outside.safetensors");
        File.WriteAllBytes(outside, Safetensors());
        File.CreateSymbolicLink(Path.Combine(factory.ComfyUiDir, "models", "checkpoints", "delete-link.safetensors"), outside);
        var client = factory.CreateKeyClient();
        async Task<HttpResponseMessage> DeleteAsync(object body) =>
            await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/models") { Content = JsonContent.Create(body) });

        await ErrorAssert.IsErrorBody(await DeleteAsync(new { paths = new[] { "checkpoints/delete-me.safetensors" } }), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.True(File.Exists(target));
        await ErrorAssert.IsErrorBody(await DeleteAsync(new { paths = new[] { "checkpoints/nothing.safetensors" }, confirm = true }), HttpStatusCode.NotFound, "MODEL_NOT_FOUND");

        var size = new FileInfo(target).Length;
        var answer = await (await DeleteAsync(new
        {
            paths = new[] { "checkpoints/delete-me.safetensors", "../secrets.safetensors", "/etc/passwd", "checkpoints/delete-link.safetensors", "checkpoints/x.txt" },
            confirm = true,
        })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, answer.GetProperty("deleted").GetInt32());
        Assert.Equal(size, answer.GetProperty("bytes_freed").GetInt64());
        Assert.False(File.Exists(target));
        Assert.True(File.Exists(outside), "the file a link points to outside the models folder is never deleted");
        var errors = answer.GetProperty("errors").EnumerateArray().ToDictionary(e => e.GetProperty("path").GetString()!, e => e.GetProperty("error").GetString()!);
        Assert.Equal(4, errors.Count);
        Assert.Contains("link", errors["checkpoints/delete-link.safetensors"]);
        Assert.Contains("inside the models folder", errors["../secrets.safetensors"]);
    }
}
