using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ComfyStudio.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Playwright;

namespace ComfyStudio.Tests.Infrastructure;

/// <summary>The app on a real Kestrel port on loopback.</summary>
public class KestrelFactory : StudioFactory, IAsyncLifetime
{
    public string BaseUrl { get; private set; } = "";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["urls"] = "http://127.0.0.1:0",
    };

    public virtual Task InitializeAsync()
    {
        UseKestrel();
        StartServer();
        BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return Task.CompletedTask;
    }

    public new virtual Task DisposeAsync() => base.DisposeAsync().AsTask();
}

/// <summary>The app on Kestrel, and Debian's Chromium driven by Playwright.</summary>
public class BrowserFactory : KestrelFactory
{
    private IPlaywright? _playwright;
    public IBrowser Browser { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await LaunchChromiumAsync(_playwright);
    }

    /// <summary>Debian's Chromium, headless, with the flags this machine needs (Playwright's own download cannot work here).</summary>
    public static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic"],
    });

    private static readonly ConditionalWeakTable<IPage, ConcurrentDictionary<IRequest, DateTime>> Pending = new();

    public static async Task<IPage> NewPageAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(45_000); // generous: on two cores the suite also publishes a release and runs real processes beside the browser
        // What the page still waits for, so a time-out can say which request held it.
        var pending = Pending.GetValue(page, _ => new ConcurrentDictionary<IRequest, DateTime>());
        page.Request += (_, r) => pending[r] = DateTime.UtcNow;
        page.RequestFinished += (_, r) => pending.TryRemove(r, out DateTime _);
        page.RequestFailed += (_, r) => pending.TryRemove(r, out DateTime _);
        return page;
    }

    /// <summary>
    /// Waits until the page has settled: no change to its DOM for <paramref name="quietMs"/> (the circuit's first data,
    /// lists and figures, has been rendered), at most 15 s.
    /// </summary>
    public static Task SettledAsync(IPage page, int quietMs = 300) => page.EvaluateAsync("""
        quiet => new Promise(resolve => {
          let timer = setTimeout(done, quiet);
          const observer = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, quiet); });
          const cap = setTimeout(done, 15000);
          function done() { observer.disconnect(); clearTimeout(cap); resolve(); }
          observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
        })
        """, quietMs);

    /// <summary>The requests <paramref name="page"/> has sent and not seen answered, oldest first, for a failure message.</summary>
    public static string PendingRequests(IPage page) =>
        Pending.TryGetValue(page, out var pending) && !pending.IsEmpty
            ? string.Join("; ", pending.OrderBy(p => p.Value).Select(p => $"{p.Key.Method} {p.Key.Url} ({(DateTime.UtcNow - p.Value).TotalSeconds:0.0} s)"))
            : "none";

    /// <summary>On the login page: signs in with the primary key and waits until <paramref name="path"/> is interactive.</summary>
    public async Task SignInAsync(IPage page, string path)
    {
        await page.FillAsync("#api_key", PrimaryKey);
        await page.ClickAsync("[data-testid=sign-in]");
        try
        {
            // The page is ready when its circuit has rendered it; the document's load event says nothing more.
            await page.WaitForURLAsync(BaseUrl + path, new() { WaitUntil = WaitUntilState.Commit });
            await page.Locator("[data-studio-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} (at {page.Url}; requests not answered: {PendingRequests(page)})", e);
        }
    }

    public override async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        await base.DisposeAsync();
    }
}
