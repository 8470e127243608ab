using Bunit;
using ComfyStudio.Services.Auth;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Logging;
using ComfyStudio.Services.Settings;
using ComfyStudio.Tests.Infrastructure;
using ComfyStudio.Web.Components.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MudBlazor;

namespace ComfyStudio.Tests.Settings;

/// <summary>The Reveal dialog: asks for the key, shows the secrets with a countdown, then masks them again.</summary>
public sealed class RevealSecretsDialogTests : IAsyncLifetime
{
    private const string Key = "the-main-key-0123456789";
    private const string KeyInput = "input[data-testid=reveal-key], [data-testid=reveal-key] input";
    private readonly BunitContext _ctx = MudTestContext.Create();
    private TestDatabase _db = null!;
    private readonly List<StudioEvent> _events = [];

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        var options = Options.Create(new StudioOptions { ApiKey = Key, HfToken = "hf_revealedToken1234", StudioDir = _db.Dir, ComfyUiDir = _db.Dir });
        var bus = new EventBus(NullLogger<EventBus>.Instance);
        bus.Subscribe(e => { lock (_events) _events.Add(e); return Task.CompletedTask; });
        var redactor = new SecretRedactor(options);
        var keys = new ApiKeyStore(_db.Factory, options, redactor, bus, TimeProvider.System, NullLogger<ApiKeyStore>.Instance);
        await keys.LoadAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["HF_TOKEN"] = "hf_revealedToken1234" }).Build();
        var settings = new StudioSettings(_db.Factory, options, configuration, keys, new LoginThrottle(TimeProvider.System, bus), redactor, bus, TimeProvider.System, NullLogger<StudioSettings>.Instance);
        await settings.StartAsync(CancellationToken.None);
        _ctx.Services.AddSingleton(settings);
    }

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        await _db.DisposeAsync();
    }

    private Task SeenAsync(Func<StudioEvent, bool> match) =>
        TestWait.UntilAsync(() => { lock (_events) return _events.Any(match); }, what: "the event on the bus");

    private async Task<IRenderedComponent<MudDialogProvider>> OpenAsync(TimeSpan showFor)
    {
        var provider = _ctx.Render<MudDialogProvider>();
        var dialogs = _ctx.Services.GetRequiredService<IDialogService>();
        await provider.InvokeAsync(() => dialogs.ShowAsync<RevealSecretsDialog>("Reveal secrets",
            new DialogParameters<RevealSecretsDialog> { { d => d.ShowFor, showFor } }));
        provider.WaitForAssertion(() => Assert.True(provider.FindAll(KeyInput).Count == 1, provider.Markup));
        return provider;
    }

    [Fact]
    public async Task A_wrong_key_reveals_nothing()
    {
        var dialog = await OpenAsync(TimeSpan.FromSeconds(30));
        dialog.Find(KeyInput).Input("wrong-key-wrong-key");
        dialog.Find("[data-testid=reveal-submit]").Click();
        dialog.WaitForElement("[data-testid=reveal-error]");
        Assert.Empty(dialog.FindAll("[data-secret]"));
        Assert.DoesNotContain("hf_revealedToken1234", dialog.Markup);
        await SeenAsync(e => e is SecretsRevealRefused); // the bus delivers on its own thread
    }

    [Fact]
    public async Task Guessing_the_key_is_throttled_and_then_even_the_right_key_waits()
    {
        var dialog = await OpenAsync(TimeSpan.FromSeconds(30));
        for (var i = 0; i < LoginThrottle.MaxFailures; i++)
        {
            dialog.Find(KeyInput).Input($"guess-number-{i}-0123456789");
            dialog.Find("[data-testid=reveal-submit]").Click();
            dialog.WaitForAssertion(() => Assert.Contains("does not match", dialog.Find("[data-testid=reveal-error]").TextContent));
        }
        dialog.Find(KeyInput).Input(Key);
        dialog.Find("[data-testid=reveal-submit]").Click();
        dialog.WaitForAssertion(() => Assert.Contains("Too many wrong API keys", dialog.Find("[data-testid=reveal-error]").TextContent));
        Assert.DoesNotContain("hf_revealedToken1234", dialog.Markup);
    }

    [Fact]
    public async Task The_right_key_shows_the_secrets_with_a_countdown_then_masks_them_again()
    {
        var dialog = await OpenAsync(TimeSpan.FromSeconds(2));
        Assert.DoesNotContain("hf_revealedToken1234", dialog.Markup);
        dialog.Find(KeyInput).Input(Key);
        dialog.Find("[data-testid=reveal-submit]").Click();

        dialog.WaitForElement("[data-secret=HF_TOKEN]");
        Assert.Contains("hf_revealedToken1234", dialog.Find("[data-secret=HF_TOKEN]").TextContent);
        Assert.Contains(Key, dialog.Find("[data-secret=API_KEY]").TextContent);
        Assert.Matches(@"Hidden again in [12] s", dialog.Find("[data-testid=reveal-countdown]").TextContent);
        // Each revealed secret has a copy button that puts exactly it on the clipboard.
        dialog.Find("[data-secret=HF_TOKEN] [data-testid=copy]").Click();
        Assert.Contains(_ctx.JSInterop.Invocations, i => i.Identifier == "studio.copy" && (string?)i.Arguments[0] == "hf_revealedToken1234");
        await SeenAsync(e => e is SecretsRevealed r && !r.Message.Contains("hf_revealedToken1234"));

        dialog.WaitForAssertion(() => Assert.DoesNotContain("hf_revealedToken1234", dialog.Markup), TimeSpan.FromSeconds(10));
        Assert.Empty(dialog.FindAll("[data-secret]"));
    }

    [Fact]
    public async Task Hide_now_masks_at_once()
    {
        var dialog = await OpenAsync(TimeSpan.FromSeconds(30));
        dialog.Find(KeyInput).Input(Key);
        dialog.Find("[data-testid=reveal-submit]").Click();
        dialog.WaitForElement("[data-secret=HF_TOKEN]");
        dialog.Find("[data-testid=reveal-hide]").Click();
        dialog.WaitForAssertion(() => Assert.DoesNotContain("hf_revealedToken1234", dialog.Markup));
    }
}
