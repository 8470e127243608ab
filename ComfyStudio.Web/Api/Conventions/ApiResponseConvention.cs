using ComfyStudio.Web.Api.Errors;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ApplicationModels;

namespace ComfyStudio.Web.Api.Conventions;

/// <summary>
/// Declares every action's answers for the OpenAPI document: its success (the typed result it returns, unless the
/// action names its own 2xx), and the error body for the failures any route can give (400 bad input, 401 without
/// a key on a protected route, 429 over the rate limit, and <c>default</c> for the rest). Routes add their own
/// (404, 409, 503…) with <c>[ProducesResponseType]</c>.
/// </summary>
public sealed class ApiResponseConvention : IActionModelConvention
{
    public void Apply(ActionModel action)
    {
        var declared = action.Filters.OfType<IApiResponseMetadataProvider>()
            .Concat(action.Attributes.OfType<IApiResponseMetadataProvider>()).ToList();
        if (!declared.Any(d => d.StatusCode is >= 200 and < 300) && Answer(action.ActionMethod.ReturnType) is { } type)
            action.Filters.Add(new ProducesResponseTypeAttribute(type, StatusCodes.Status200OK));
        action.Filters.Add(new ProducesResponseTypeAttribute(typeof(ErrorBody), StatusCodes.Status400BadRequest));
        var anonymous = action.Attributes.OfType<IAllowAnonymous>().Any() || action.Controller.Attributes.OfType<IAllowAnonymous>().Any();
        if (!anonymous)
            action.Filters.Add(new ProducesResponseTypeAttribute(typeof(ErrorBody), StatusCodes.Status401Unauthorized));
        action.Filters.Add(new ProducesResponseTypeAttribute(typeof(ErrorBody), StatusCodes.Status429TooManyRequests));
        action.Filters.Add(new ProducesDefaultResponseTypeAttribute(typeof(ErrorBody)));
    }

    /// <summary>The answer's type behind <c>Task&lt;…&gt;</c> and <c>ActionResult&lt;…&gt;</c>; null for an untyped <c>IActionResult</c>.</summary>
    private static Type? Answer(Type type)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Task<>)) type = type.GetGenericArguments()[0];
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ActionResult<>)) type = type.GetGenericArguments()[0];
        return typeof(IActionResult).IsAssignableFrom(type) || type == typeof(Task) || type == typeof(void) ? null : type;
    }
}
