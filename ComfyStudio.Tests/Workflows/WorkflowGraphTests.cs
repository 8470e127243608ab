using System.Text.Json.Nodes;
using ComfyStudio.Services.Workflows;

namespace ComfyStudio.Tests.Workflows;

/// <summary>The editor's graph: read from either format, edited, and written back to either without losing a value.</summary>
public sealed class WorkflowGraphTests
{
    private static readonly NodeDefinitions Definitions = WorkflowConverterTests.Definitions();

    private static void SamePrompt(JsonObject expected, JsonObject actual)
    {
        Assert.Equal(expected.Select(kv => kv.Key).Order(), actual.Select(kv => kv.Key).Order());
        foreach (var (id, want) in expected)
        {
            var got = actual[id]!;
            Assert.Equal(want!["class_type"]!.ToString(), got["class_type"]!.ToString());
            var wantInputs = want["inputs"]!.AsObject();
            var gotInputs = got["inputs"]!.AsObject();
            Assert.Equal(wantInputs.Select(kv => kv.Key).Order(), gotInputs.Select(kv => kv.Key).Order());
            foreach (var (name, value) in wantInputs)
                Assert.True(WorkflowConverterTests.SameValue(value, gotInputs[name]), $"node {id} input {name}: {value?.ToJsonString()} expected, {gotInputs[name]?.ToJsonString()} made");
        }
    }

    [Theory]
    [MemberData(nameof(WorkflowConverterTests.Pairs), MemberType = typeof(WorkflowConverterTests))]
    public void Every_real_pair_goes_to_the_UI_format_and_back_to_the_same_prompt_with_its_places(string pair)
    {
        var ui = WorkflowConverterTests.Read(pair + ".ui.json");
        var (graph, errors) = WorkflowGraph.From(ui, Definitions);
        Assert.Empty(errors);
        var prompt = WorkflowConverter.ToApi(ui, Definitions).Prompt!;
        SamePrompt(prompt, graph!.ToApi());

        // Rebuilt in the UI format, it converts back to the same prompt, every node where it was.
        var rebuilt = graph.ToUi(Definitions);
        var again = WorkflowConverter.ToApi(rebuilt, Definitions);
        Assert.True(again.Converted, string.Join("; ", again.Errors.Select(e => e.Message)));
        SamePrompt(prompt, again.Prompt!);
        var first = graph.Nodes[0];
        var original = ui["nodes"]!.AsArray().First(n => n!["id"]!.ToJsonString().Trim('"') == first.Id)!;
        Assert.Equal(original["pos"]![0]!.GetValue<double>(), first.X, 0);

        // And the API format with its layout reads back as the same graph.
        var (reread, _) = WorkflowGraph.From(graph.ToApi(withLayout: true), Definitions);
        SamePrompt(prompt, reread!.ToApi());
        Assert.Equal((Math.Round(first.X), Math.Round(first.Y)), (reread.Find(first.Id)!.X, reread.Find(first.Id)!.Y));
    }

    [Fact]
    public void A_seed_set_to_randomize_in_ComfyUI_stays_so_both_ways()
    {
        var ui = WorkflowConverterTests.Read("default_sd15_txt2img.ui.json");
        var sampler = ui["nodes"]!.AsArray().First(n => n!["type"]!.ToString() == "KSampler")!;
        sampler["widgets_values"]![1] = "randomize";
        var (graph, _) = WorkflowGraph.From(ui, Definitions);
        var node = graph!.Nodes.Single(n => n.ClassType == "KSampler");
        Assert.Contains("seed", node.Randomized);
        var rebuilt = graph.ToUi(Definitions)["nodes"]!.AsArray().First(n => n!["type"]!.ToString() == "KSampler")!;
        Assert.Equal("randomize", rebuilt["widgets_values"]![1]!.ToString());
        Assert.Contains("seed", WorkflowGraph.From(graph.ToApi(withLayout: true), Definitions).Graph!.Nodes.Single(n => n.ClassType == "KSampler").Randomized);
    }

    [Fact]
    public void An_API_format_workflow_is_laid_out_in_columns_by_its_links_without_overlaps()
    {
        var (graph, _) = WorkflowGraph.From(WorkflowValidatorTests.Graph(), Definitions);
        var x = graph!.Nodes.ToDictionary(n => n.ClassType == "CLIPTextEncode" ? n.ClassType + n.Id : n.ClassType, n => n.X);
        Assert.Equal(0, x["CheckpointLoaderSimple"]);
        Assert.True(x["CheckpointLoaderSimple"] < x["CLIPTextEncode6"] && x["CLIPTextEncode6"] < x["KSampler"] && x["KSampler"] < x["VAEDecode"] && x["VAEDecode"] < x["SaveImage"]);
        foreach (var column in graph.Nodes.GroupBy(n => n.X))
        {
            var ordered = column.OrderBy(n => n.Y).ToList();
            for (var i = 1; i < ordered.Count; i++)
                Assert.True(ordered[i].Y >= ordered[i - 1].Y + WorkflowGraph.Height(ordered[i - 1], Definitions), $"{ordered[i].Id} overlaps {ordered[i - 1].Id}");
        }
    }

    [Fact]
    public void Edits_keep_the_graph_sound_types_fit_no_loops_and_a_removed_node_takes_its_links()
    {
        var (graph, _) = WorkflowGraph.From(WorkflowValidatorTests.Graph(), Definitions);
        var vae = graph!.Add(Definitions.Find("VAELoader")!, 0, 600);
        Assert.Equal("10", vae.Id);
        Assert.Equal(Definitions.Find("VAELoader")!.Input("vae_name")!.Choices![0], vae.Inputs["vae_name"]!.GetValue<string>());

        Assert.Contains("takes VAE", graph.Connect("4", 0, "8", "vae", Definitions)); // MODEL into a VAE input
        Assert.Null(graph.Connect(vae.Id, 0, "8", "vae", Definitions));
        Assert.Equal(vae.Id, graph.Links.Single(l => l.To == "8" && l.Input == "vae").From);
        Assert.Contains("itself", graph.Connect("3", 0, "3", "latent_image", Definitions));

        var seeded = graph.Add(Definitions.Find("KSampler")!, 0, 0);
        Assert.Contains("seed", seeded.Randomized);
        Assert.Null(graph.Connect("3", 0, seeded.Id, "latent_image", Definitions));
        Assert.Contains("loop", graph.Connect(seeded.Id, 0, "3", "latent_image", Definitions));
        graph.Remove("4"); // the checkpoint feeds the sampler, both prompts and the decoder
        Assert.DoesNotContain(graph.Links, l => l.From == "4");
        Assert.False(graph.Find("3")!.Inputs.ContainsKey("model"));
        Assert.DoesNotContain(WorkflowValidator.Validate(graph.ToApi(), Definitions), e => e.Type != "required_input_missing");

        graph.Disconnect("8", "vae", Definitions);
        Assert.False(graph.Find("8")!.Inputs.ContainsKey("vae"));
    }

    [Fact]
    public void A_UI_workflow_that_cannot_be_converted_says_why_and_gives_no_graph()
    {
        var ui = WorkflowConverterTests.Read("default_sd15_txt2img.ui.json");
        ui["nodes"]!.AsArray()[0]!["type"] = "NoSuchPack";
        var (graph, errors) = WorkflowGraph.From(ui, Definitions);
        Assert.Null(graph);
        Assert.Equal("missing_node_type", Assert.Single(errors).Type);
    }
}
