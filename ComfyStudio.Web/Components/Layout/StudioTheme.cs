using MudBlazor;

namespace ComfyStudio.Web.Components.Layout;

/// <summary>
/// The studio's palettes. Every colour a chip or button uses reaches 4.5:1 (WCAG AA) both as text on the page and
/// surface (outlined and text variants) and against its contrast text (filled variants); a test checks each.
/// </summary>
public static class StudioTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#4b4bc4", Secondary = "#047857", Info = "#0b69b7", Success = "#1b7d3a", Warning = "#a85b00", Error = "#c62828",
            PrimaryContrastText = "#ffffff", SecondaryContrastText = "#ffffff", InfoContrastText = "#ffffff",
            SuccessContrastText = "#ffffff", WarningContrastText = "#ffffff", ErrorContrastText = "#ffffff",
            AppbarBackground = "#1f2233",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#a5a5ff", Secondary = "#3fd49c", Info = "#6cb6ff", Success = "#2fd39a", Warning = "#ffb224", Error = "#ff8593",
            PrimaryContrastText = "#000000", SecondaryContrastText = "#000000", InfoContrastText = "#000000",
            SuccessContrastText = "#000000", WarningContrastText = "#000000", ErrorContrastText = "#000000",
            AppbarBackground = "#151723",
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "8px" },
    };
}
