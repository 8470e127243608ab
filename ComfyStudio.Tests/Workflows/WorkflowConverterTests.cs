using System.Text.Json;
using System.Text.Json.Nodes;
using ComfyStudio.Services.Workflows;

namespace ComfyStudio.Tests.Workflows;

/// <summary>
/// The UI → API conversion on real pairs: each UI-format workflow and the API format ComfyUI's own frontend produced
/// from it in the same call (Data/pairs, see its PROVENANCE.md), with the <c>/object_info</c> of that era.
/// </summary>
public sealed class WorkflowConverterTests
{
    public static string DataDir => Path.Combine(TestPaths.RepoRoot(), "ComfyStudio.Tests", "Workflows", "Data", "pairs");

    public static JsonObject Read(string file) => JsonNode.Parse(File.ReadAllText(Path.Combine(DataDir, file)))!.AsObject();

    /// <summary>The pairs' <c>/object_info</c>, plus entries for the two custom nodes no dump has, made from their API twins' inputs.</summary>
    public static NodeDefinitions Definitions()
    {
        var info = Read("object_info.json");
        info["HF Downloader"] = Custom("HF Download", ("repo_id", "STRING"), ("filename", "STRING"), ("local_path", "STRING"), ("overwrite", "BOOLEAN"), ("local_path_override", "STRING"));
        info["AssetDownloader"] = Custom("Requires Asset", ("url", "STRING"), ("save_to", "STRING"), ("filename", "STRING"), ("token", "STRING"));
        return NodeDefinitions.Parse(info);
    }

    private static JsonObject Custom(string display, params (string Name, string Type)[] inputs) => new()
    {
        ["input"] = new JsonObject { ["required"] = new JsonObject([.. inputs.Select(i => KeyValuePair.Create(i.Name, (JsonNode?)new JsonArray(i.Type, new JsonObject())))]) },
        ["output"] = new JsonArray(), ["output_name"] = new JsonArray(), ["display_name"] = display, ["category"] = "custom", ["output_node"] = true,
    };

    public static TheoryData<string> Pairs() => [.. Directory.EnumerateFiles(DataDir, "*.api.json").Select(f => Path.GetFileName(f)[..^".api.json".Length]).Order()];

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Every_pair_is_reproduced_node_for_node_value_for_value_in_the_frontends_key_order(string pair)
    {
        var expected = Read(pair + ".api.json");
        var converted = WorkflowConverter.ToApi(Read(pair + ".ui.json"), Definitions());
        Assert.True(converted.Converted, string.Join("; ", converted.Errors.Select(e => e.Message)));
        var actual = converted.Prompt!;
        var legacy = !expected.Any(kv => kv.Value?["_meta"] is not null); // the 2023 frontend sent no titles
        foreach (var (_, node) in expected)
        {
            var inputs = node!["inputs"]!.AsObject();
            inputs.Remove("is_changed"); // added by the server, never by the frontend
            if (node["class_type"]!.ToString() == "LoadImage")
            {
                inputs.Remove("choose file to upload"); // the upload button, sent by frontends before 2025 only
                inputs.Remove("upload");
            }
        }
        Assert.Equal(expected.Select(kv => kv.Key), actual.Select(kv => kv.Key));
        foreach (var (id, want) in expected)
        {
            var got = actual[id]!;
            Assert.Equal(want!["class_type"]!.ToString(), got["class_type"]!.ToString());
            if (!legacy) Assert.Equal(want["_meta"]?["title"]?.ToString(), got["_meta"]?["title"]?.ToString());
            var wantInputs = want["inputs"]!.AsObject();
            var gotInputs = got["inputs"]!.AsObject();
            Assert.True(wantInputs.Select(kv => kv.Key).SequenceEqual(gotInputs.Select(kv => kv.Key)),
                $"node {id}: inputs [{string.Join(", ", wantInputs.Select(kv => kv.Key))}] expected, [{string.Join(", ", gotInputs.Select(kv => kv.Key))}] made");
            foreach (var (name, value) in wantInputs)
                Assert.True(SameValue(value, gotInputs[name]), $"node {id} input {name}: {value?.ToJsonString()} expected, {gotInputs[name]?.ToJsonString()} made");
        }
    }

    [Fact]
    public void A_reroute_is_followed_to_the_node_that_feeds_it()
    {
        var ui = Read("hidream_e1_full.ui.json");
        var converted = WorkflowConverter.ToApi(ui, NodeDefinitions.Parse(Read("object_info.json")) is var d && Missing(ui, d).Count == 0 ? d : WithStubs(ui, d));
        Assert.True(converted.Converted, string.Join("; ", converted.Errors.Select(e => e.Message)));
        var reroute = ui["nodes"]!.AsArray().First(n => n!["type"]!.ToString() == "Reroute")!;
        var feeding = ui["links"]!.AsArray().First(l => l![0]!.GetValue<int>() == reroute["inputs"]![0]!["link"]!.GetValue<int>())!;
        var fed = ui["links"]!.AsArray().Where(l => l![1]!.GetValue<int>() == reroute["id"]!.GetValue<int>()).ToList();
        Assert.NotEmpty(fed);
        foreach (var link in fed)
        {
            var target = converted.Prompt![link![3]!.ToString()];
            if (target is null) continue; // a muted or bypassed target
            Assert.Contains(target["inputs"]!.AsObject(), kv => kv.Value is JsonArray a && a[0]!.ToString() == feeding![1]!.ToString() && a[1]!.GetValue<int>() == feeding[2]!.GetValue<int>());
        }
        Assert.DoesNotContain(converted.Prompt!, kv => kv.Value!["class_type"]!.ToString() == "Reroute");
    }

    [Fact]
    public void A_subgraph_is_refused_with_a_reason_that_names_the_node()
    {
        var ui = Read("image_qwen_image_instantx_controlnet.ui.json");
        var converted = WorkflowConverter.ToApi(ui, WithStubs(ui, NodeDefinitions.Parse(Read("object_info.json"))));
        Assert.False(converted.Converted);
        var error = Assert.Single(converted.Errors, e => e.Type == "subgraph");
        Assert.Contains($"Node {error.NodeId}", error.Message);
        Assert.Contains(ui["nodes"]!.AsArray(), n => n!["id"]!.ToString() == error.NodeId);
    }

    [Fact]
    public void A_class_ComfyUI_does_not_know_is_refused_by_name()
    {
        var converted = WorkflowConverter.ToApi(Read("default_sd15_txt2img.ui.json"), NodeDefinitions.Parse(Read("object_info.json")));
        Assert.False(converted.Converted);
        var error = Assert.Single(converted.Errors);
        Assert.Equal(("10", "HF Downloader", "missing_node_type"), (error.NodeId, error.ClassType, error.Type));
        Assert.Contains("HF Downloader", error.Message);
    }

    [Fact]
    public void Sixteen_bypassed_nodes_of_the_Wan_template_are_rewired_and_none_reaches_the_prompt()
    {
        var ui = Read("video_wan2_2_14B_t2v.ui.json");
        var converted = WorkflowConverter.ToApi(ui, WithStubs(ui, NodeDefinitions.Parse(Read("object_info.json"))));
        Assert.True(converted.Converted, string.Join("; ", converted.Errors.Select(e => e.Message)));
        var bypassed = ui["nodes"]!.AsArray().Where(n => n!["mode"]?.GetValue<int>() == 4).Select(n => n!["id"]!.ToString()).ToHashSet();
        Assert.True(bypassed.Count >= 10);
        Assert.DoesNotContain(converted.Prompt!, kv => bypassed.Contains(kv.Key));
        // Every link in the prompt points at a node the prompt holds.
        foreach (var (_, node) in converted.Prompt!)
        foreach (var (_, value) in node!["inputs"]!.AsObject())
            if (value is JsonArray { Count: 2 } link && link[0] is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                Assert.True(converted.Prompt!.ContainsKey(v.GetValue<string>()));
    }

    private static List<string> Missing(JsonObject ui, NodeDefinitions d) =>
        [.. ui["nodes"]!.AsArray().Select(n => n!["type"]!.ToString()).Where(t => !WorkflowConverter.VirtualTypes.Contains(t) && d.Find(t) is null && !Guid.TryParse(t, out _)).Distinct()];

    /// <summary>The templates use classes newer than the pairs' dump: entries made from the UI nodes' own slots.</summary>
    private static NodeDefinitions WithStubs(JsonObject ui, NodeDefinitions d)
    {
        var all = d.Classes.ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var type in Missing(ui, d))
        {
            var node = ui["nodes"]!.AsArray().First(n => n!["type"]!.ToString() == type)!;
            var inputs = new JsonObject();
            foreach (var slot in node["inputs"]?.AsArray() ?? []) if (slot!["widget"] is null) inputs[slot["name"]!.ToString()] = new JsonArray(slot["type"]!.ToString());
            var values = node["widgets_values"] as JsonArray ?? [];
            for (var i = 0; i < values.Count; i++)
                inputs[$"w{i}"] = new JsonArray(values[i]?.GetValueKind() switch { JsonValueKind.Number => "FLOAT", JsonValueKind.True or JsonValueKind.False => "BOOLEAN", _ => "STRING" });
            all[type] = NodeDefinition.Parse(type, new JsonObject
            {
                ["input"] = new JsonObject { ["required"] = inputs }, ["display_name"] = type,
                ["output"] = new JsonArray([.. (node["outputs"]?.AsArray() ?? []).Select(o => (JsonNode?)JsonValue.Create(o!["type"]!.ToString()))]),
            });
        }
        return new NodeDefinitions(all);
    }

    /// <summary>Numbers by value (ComfyUI stored <c>8.0</c> where the frontend sent <c>8</c>), the rest exactly.</summary>
    public static bool SameValue(JsonNode? a, JsonNode? b) => (a, b) switch
    {
        (null, null) => true,
        (JsonValue x, JsonValue y) when x.GetValueKind() == JsonValueKind.Number && y.GetValueKind() == JsonValueKind.Number => double.Parse(x.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture) == double.Parse(y.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture),
        (JsonArray x, JsonArray y) => x.Count == y.Count && x.Zip(y).All(p => SameValue(p.First, p.Second)),
        (JsonObject x, JsonObject y) => x.Count == y.Count && x.All(kv => y.ContainsKey(kv.Key) && SameValue(kv.Value, y[kv.Key])),
        _ => JsonNode.DeepEquals(a, b),
    };
}
