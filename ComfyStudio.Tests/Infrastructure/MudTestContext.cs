using Bunit;
using ComfyStudio.Web.Components.Shared;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace ComfyStudio.Tests.Infrastructure;

/// <summary>A bUnit context for MudBlazor components: MudBlazor's services, the browser's clock, and its JavaScript calls answered loosely.</summary>
internal static class MudTestContext
{
    public static BunitContext Create()
    {
        var ctx = new BunitContext();
        ctx.Services.AddMudServices();
        ctx.Services.AddScoped<BrowserClock>(); // pages write times in the browser's zone
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        return ctx;
    }
}
