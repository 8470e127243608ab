using System.Text.RegularExpressions;
using ComfyStudio.Services.Errors;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace ComfyStudio.Web.Api.Errors;

/// <summary>Model-binding failures (malformed JSON, a wrong type, a missing field) as a VALIDATION_ERROR.</summary>
public static partial class ModelStateErrors
{
    public static IActionResult Respond(ActionContext context)
    {
        var parameters = context.ActionDescriptor.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var errors = context.ModelState
            .Where(kv => kv.Value is { Errors.Count: > 0 })
            .Select(kv => (Key: kv.Key, Field: FieldName(kv.Key), Messages: kv.Value!.Errors.Select(e => Describe(kv.Key, e)).ToArray()))
            .ToList();
        // "The update field is required" (the action's own parameter) only repeats that the body did not bind:
        // keep the real reason, which names the field.
        if (errors.Count > 1)
            errors.RemoveAll(e => e.Messages.All(m => m.EndsWith(" field is required.", StringComparison.Ordinal))
                                  && (e.Field is "request" or "body" || parameters.Contains(e.Key)));
        var details = errors.ToDictionary(e => e.Field, e => (object?)e.Messages);
        var first = errors.SelectMany(e => e.Messages).FirstOrDefault() ?? "The request is not valid";
        return new BadRequestObjectResult(ErrorBody.Of(ErrorCodes.ValidationError, first, details)) { ContentTypes = { "application/json" } };
    }

    private static string FieldName(string key) => string.IsNullOrEmpty(key) || key == "$"
        ? "body"
        : string.Join('.', key.TrimStart('$', '.').Split('.').Select(System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName));

    private static string Describe(string key, ModelError e)
    {
        var text = !string.IsNullOrEmpty(e.ErrorMessage) ? e.ErrorMessage : e.Exception?.Message ?? "Invalid value";
        var path = JsonPath().Match(text) is { Success: true } m ? m.Groups[1].Value : null;
        if (text.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
            return $"'{FieldName(path ?? key)}' has the wrong type";
        if (path is not null || text.Contains("JSON", StringComparison.Ordinal))
            return "Malformed JSON" + (path is null ? "" : $" near {path}");
        return text;
    }

    [GeneratedRegex(@"Path: (\$[^ |]*)")]
    private static partial Regex JsonPath();
}
