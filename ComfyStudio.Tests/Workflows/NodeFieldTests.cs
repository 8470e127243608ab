using System.Text.Json.Nodes;
using Bunit;
using ComfyStudio.Services.Workflows;
using ComfyStudio.Web.Components.Workflows;

namespace ComfyStudio.Tests.Workflows;

/// <summary>The editor's node widgets, typed from the real <c>/object_info</c>.</summary>
public sealed class NodeFieldTests : IAsyncDisposable
{
    private static readonly NodeDefinitions Definitions = WorkflowConverterTests.Definitions();
    private readonly BunitContext _ctx = MudTestContext.Create();

    private static NodeInput Input(string cls, string name) => Definitions.Find(cls)!.Input(name)!;

    [Fact]
    public void A_whole_number_is_sent_as_typed_rounded_with_its_range_shown()
    {
        JsonNode? sent = null;
        var steps = Input("KSampler", "steps");
        var field = _ctx.Render<NodeField>(p => p.Add(f => f.Input, steps).Add(f => f.Value, JsonValue.Create(20))
            .Add(f => f.ValueChanged, v => sent = v));
        Assert.Equal("20", field.Find("input").GetAttribute("value"));
        field.Find("input").Change("12.6");
        Assert.Equal(13L, sent!.GetValue<long>());
        field.Find("input").Change("-5");
        Assert.Equal(-5L, sent!.GetValue<long>()); // not changed behind the person's back: the validator marks it
        Assert.Contains("1 to 10000", field.Markup);
        Assert.Equal("false", field.Find("[data-testid=field-steps]").GetAttribute("data-error"));
    }

    [Fact]
    public void A_fraction_keeps_its_decimals()
    {
        JsonNode? sent = null;
        var field = _ctx.Render<NodeField>(p => p.Add(f => f.Input, Input("KSampler", "cfg")).Add(f => f.Value, JsonValue.Create(8.0)).Add(f => f.ValueChanged, v => sent = v));
        field.Find("input").Change("6.5");
        Assert.Equal(6.5, sent!.GetValue<double>());
    }

    [Fact]
    public void A_seed_can_be_randomised_each_run_or_kept()
    {
        bool? randomized = null;
        var seed = Input("KSampler", "seed");
        Assert.True(seed.HasControl);
        var field = _ctx.Render<NodeField>(p => p.Add(f => f.Input, seed).Add(f => f.Value, JsonValue.Create(42)).Add(f => f.Randomized, false)
            .Add(f => f.RandomizedChanged, v => randomized = v));
        field.Find("[data-testid=randomize]").Click();
        Assert.True(randomized);
        Assert.Empty(_ctx.Render<NodeField>(p => p.Add(f => f.Input, Input("KSampler", "steps"))).FindAll("[data-testid=randomize]"));
    }

    [Fact]
    public void A_loaders_list_is_the_files_on_disk_with_a_missing_one_marked()
    {
        var ckpt = Input("CheckpointLoaderSimple", "ckpt_name");
        var listed = ckpt.Choices![0];
        var field = _ctx.Render<NodeField>(p => p.Add(f => f.Input, ckpt).Add(f => f.Value, JsonValue.Create("gone/elsewhere.safetensors"))
            .Add(f => f.Files, new HashSet<string> { "arrived/new.safetensors" }));
        var choices = field.Instance.Choices;
        Assert.Contains((listed, NodeField.NotOnDisk), choices); // ComfyUI listed it once; the disk no longer has it
        Assert.Contains(("arrived/new.safetensors", (string?)null), choices); // on disk though ComfyUI's list predates it
        Assert.Equal(("gone/elsewhere.safetensors", NodeField.NotOnDisk), choices[^1]); // the value itself stays choosable, marked

        var sampler = _ctx.Render<NodeField>(p => p.Add(f => f.Input, Input("KSampler", "sampler_name")).Add(f => f.Value, JsonValue.Create("warp_drive")));
        Assert.Equal(("warp_drive", NodeField.NotListed), sampler.Instance.Choices[^1]);
        Assert.DoesNotContain(sampler.Instance.Choices.SkipLast(1), c => c.Note is not null);
    }

    [Fact]
    public void A_prompt_text_offers_the_saved_prompts_and_saves_its_own()
    {
        string? saved = null;
        var text = Input("CLIPTextEncode", "text");
        Assert.True(text.Flag("multiline"));
        var field = _ctx.Render<NodeField>(p => p.Add(f => f.Input, text).Add(f => f.Value, JsonValue.Create("a red bottle"))
            .Add(f => f.SavedPrompts, [new SavedPrompt(1, "positive", "a lighthouse at dawn", DateTime.UtcNow)]).Add(f => f.SavePrompt, v => saved = v));
        Assert.Equal("a red bottle", field.Find("textarea").TextContent.Trim() is { Length: > 0 } t ? t : field.Find("textarea").GetAttribute("value"));
        field.Find("[data-testid=save-prompt]").Click();
        Assert.Equal("a red bottle", saved);
        Assert.NotEmpty(field.FindAll("[data-testid=saved-prompts]"));
    }

    [Fact]
    public void An_error_is_shown_under_its_field_and_a_switch_sends_true_or_false()
    {
        var field = _ctx.Render<NodeField>(p => p.Add(f => f.Input, Input("KSampler", "steps")).Add(f => f.Value, JsonValue.Create(0))
            .Add(f => f.Error, "0 is below the minimum 1"));
        Assert.Equal("true", field.Find("[data-testid=field-steps]").GetAttribute("data-error"));
        Assert.Contains("below the minimum", field.Find("[data-testid=field-error]").TextContent);

        JsonNode? sent = null;
        var boolean = new NodeInput("tiled", "BOOLEAN", true, null, new JsonObject { ["default"] = false });
        var toggle = _ctx.Render<NodeField>(p => p.Add(f => f.Input, boolean).Add(f => f.Value, JsonValue.Create(false)).Add(f => f.ValueChanged, v => sent = v));
        toggle.Find("input").Change(true);
        Assert.True(sent!.GetValue<bool>());
    }

    public async ValueTask DisposeAsync() => await _ctx.DisposeAsync();
}
