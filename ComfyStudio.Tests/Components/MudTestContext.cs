using Bunit;
using MudBlazor.Services;

namespace ComfyStudio.Tests.Components;

/// <summary>A bUnit context for MudBlazor components: MudBlazor's services, and its JavaScript calls answered loosely.</summary>
internal static class MudTestContext
{
    public static BunitContext Create()
    {
        var ctx = new BunitContext();
        ctx.Services.AddMudServices();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        return ctx;
    }
}
