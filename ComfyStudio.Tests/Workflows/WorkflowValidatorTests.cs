using System.Text.Json.Nodes;
using ComfyStudio.Services.Workflows;

namespace ComfyStudio.Tests.Workflows;

/// <summary>Each kind of error ComfyUI's validation reports, found before the prompt is queued, on the node and input it belongs to.</summary>
public sealed class WorkflowValidatorTests
{
    private static readonly NodeDefinitions Definitions = WorkflowConverterTests.Definitions();

    /// <summary>A sound text-to-image graph on the pairs' node list (its checkpoint one ComfyUI lists).</summary>
    public static JsonObject Graph()
    {
        var checkpoint = Definitions.Find("CheckpointLoaderSimple")!.Input("ckpt_name")!.Choices![0];
        return JsonNode.Parse($$$"""
            {
              "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "{{{checkpoint}}}"}},
              "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 512, "height": 512, "batch_size": 1}},
              "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a bottle", "clip": ["4", 1]}},
              "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["4", 1]}},
              "3": {"class_type": "KSampler", "inputs": {"seed": 1, "steps": 20, "cfg": 8.0, "sampler_name": "euler", "scheduler": "normal", "denoise": 1.0,
                    "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
              "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
              "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]}}
            }
            """)!.AsObject();
    }

    private static WorkflowError Only(JsonObject graph) => Assert.Single(WorkflowValidator.Validate(graph, Definitions));

    [Fact]
    public void A_sound_graph_has_no_errors() => Assert.Empty(WorkflowValidator.Validate(Graph(), Definitions));

    [Fact]
    public void A_model_file_on_disk_is_good_though_the_node_list_was_read_before_it_arrived()
    {
        var g = Graph();
        g["4"]!["inputs"]!["ckpt_name"] = "new/arrived.safetensors";
        Assert.Equal(("4", "ckpt_name", "value_not_in_list"), Where(Only(g)));
        Assert.Empty(WorkflowValidator.Validate(g, Definitions, (cls, input, name) => (cls, input, name) == ("CheckpointLoaderSimple", "ckpt_name", "new/arrived.safetensors")));
        g["3"]!["inputs"]!["sampler_name"] = "new/arrived.safetensors"; // only a loader's file input
        Assert.Equal(("3", "sampler_name", "value_not_in_list"), Where(Assert.Single(WorkflowValidator.Validate(g, Definitions, (_, input, _) => input == "ckpt_name"))));
    }

    [Fact]
    public void Each_error_kind_names_its_node_and_input()
    {
        var g = Graph();
        g["3"]!["inputs"]!["steps"] = 0;
        Assert.Equal(("3", "steps", "value_smaller_than_min"), Where(Only(g)));
        g = Graph();
        g["3"]!["inputs"]!["cfg"] = 1000;
        Assert.Equal(("3", "cfg", "value_bigger_than_max"), Where(Only(g)));
        g = Graph();
        g["3"]!["inputs"]!["steps"] = "many";
        Assert.Equal(("3", "steps", "invalid_input_type"), Where(Only(g)));
        g = Graph();
        g["3"]!["inputs"]!["steps"] = 2.5;
        Assert.Equal(("3", "steps", "invalid_input_type"), Where(Only(g)));
        g = Graph();
        g["3"]!["inputs"]!["sampler_name"] = "warp_drive";
        var notInList = Only(g);
        Assert.Equal(("3", "sampler_name", "value_not_in_list"), Where(notInList));
        Assert.Contains("warp_drive", notInList.Message);
        g = Graph();
        g["3"]!["inputs"]!.AsObject().Remove("denoise");
        Assert.Equal(("3", "denoise", "required_input_missing"), Where(Only(g)));
        g = Graph();
        g["8"]!["inputs"]!["vae"] = new JsonArray("4", 7);
        Assert.Equal(("8", "vae", "bad_linked_input"), Where(Only(g)));
        g = Graph();
        g["8"]!["inputs"]!["vae"] = new JsonArray("99", 0);
        Assert.Equal(("8", "vae", "bad_linked_input"), Where(Only(g)));
        g = Graph();
        g["8"]!["inputs"]!["vae"] = new JsonArray("4", 0); // a MODEL where a VAE goes
        Assert.Equal(("8", "vae", "return_type_mismatch"), Where(Only(g)));
        g = Graph();
        g["10"] = new JsonObject { ["class_type"] = "WanVideoSampler", ["inputs"] = new JsonObject() };
        var missing = Only(g);
        Assert.Equal(("10", null, "missing_node_type"), Where(missing));
        Assert.Contains("WanVideoSampler", missing.Message);
        g = Graph();
        g.Remove("9");
        Assert.Equal((null, null, "prompt_no_outputs"), Where(Only(g)));
        g = Graph();
        g["9"] = new JsonObject { ["inputs"] = new JsonObject() };
        Assert.Contains(WorkflowValidator.Validate(g, Definitions), e => e is { NodeId: "9", Type: "invalid_node" });
    }

    [Fact]
    public void Without_ComfyUIs_node_list_only_the_structure_is_checked()
    {
        var g = Graph();
        g["3"]!["inputs"]!["steps"] = 0;
        g["8"]!["inputs"]!["vae"] = new JsonArray("99", 0);
        var error = Assert.Single(WorkflowValidator.Validate(g, NodeDefinitions.Empty));
        Assert.Equal(("8", "vae", "bad_linked_input"), Where(error));
    }

    private static (string?, string?, string) Where(WorkflowError e) => (e.NodeId, e.Input, e.Type);
}
