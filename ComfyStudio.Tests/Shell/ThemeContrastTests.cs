using ComfyStudio.Web.Components.Layout;
using MudBlazor;
using MudBlazor.Utilities;

namespace ComfyStudio.Tests.Shell;

/// <summary>The theme's chip and button colours reach 4.5:1 (WCAG AA) in both palettes.</summary>
public sealed class ThemeContrastTests
{
    private static double Luminance(MudColor c)
    {
        static double Channel(byte v) => v / 255d <= 0.03928 ? v / 255d / 12.92 : Math.Pow((v / 255d + 0.055) / 1.055, 2.4);
        return 0.2126 * Channel(c.R) + 0.7152 * Channel(c.G) + 0.0722 * Channel(c.B);
    }

    private static double Contrast(MudColor a, MudColor b)
    {
        var (la, lb) = (Luminance(a), Luminance(b));
        return (Math.Max(la, lb) + 0.05) / (Math.Min(la, lb) + 0.05);
    }

    public static IEnumerable<object[]> Palettes() => [["light"], ["dark"]];

    [Theory]
    [MemberData(nameof(Palettes))]
    public void Every_chip_and_button_colour_reaches_four_and_a_half_to_one(string which)
    {
        Palette p = which == "light" ? StudioTheme.Theme.PaletteLight : StudioTheme.Theme.PaletteDark;
        var colours = new (string Name, MudColor Colour, MudColor Text)[]
        {
            ("primary", p.Primary, p.PrimaryContrastText), ("secondary", p.Secondary, p.SecondaryContrastText),
            ("info", p.Info, p.InfoContrastText), ("success", p.Success, p.SuccessContrastText),
            ("warning", p.Warning, p.WarningContrastText), ("error", p.Error, p.ErrorContrastText),
        };
        var failures = new List<string>();
        foreach (var (name, colour, text) in colours)
        {
            foreach (var (on, bg) in new[] { ("background", p.Background), ("surface", p.Surface) })
                if (Contrast(colour, bg) < 4.5) failures.Add($"{name} on {on}: {Contrast(colour, bg):0.00}");
            if (Contrast(colour, text) < 4.5) failures.Add($"{name} filled: {Contrast(colour, text):0.00}");
        }
        Assert.True(failures.Count == 0, $"{which}: " + string.Join("; ", failures));
    }
}
