namespace ComfyStudio.Web.Api.Status;

/// <summary>Percentages in answers: one decimal, and 0 for a reading that is not a number.</summary>
internal static class Percent
{
    public static double Round(double value) => double.IsFinite(value) ? Math.Round(value, 1) : 0;
}
