using MudBlazor;

namespace ComfyStudio.Web.Components.Layout;

public static class StudioTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight { Primary = "#5b5bd6", Secondary = "#0e9f6e", AppbarBackground = "#1f2233" },
        PaletteDark = new PaletteDark { Primary = "#8b8bf5", Secondary = "#31c48d", AppbarBackground = "#151723" },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "8px" },
    };
}
