using ComfyStudio.Services.Configuration;
using ComfyStudio.Web.Api.Auth;
using ComfyStudio.Web.Api.Conventions;
using ComfyStudio.Web.Api.Errors;
using ComfyStudio.Web.Api.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace ComfyStudio.Web.Api;

public static class ApiSetup
{
    /// <summary>Controllers with snake_case JSON, the error body, CORS, rate limits and the OpenAPI document.</summary>
    public static IHostApplicationBuilder AddStudioApi(this IHostApplicationBuilder builder, StudioOptions studio)
    {
        builder.Services.AddControllers(o =>
            {
                o.Conventions.Add(new ApiResponseConvention()); // each operation's success and error answers, for the OpenAPI document
            })
            .AddJsonOptions(o => StudioJson.Apply(o.JsonSerializerOptions))
            .ConfigureApiBehaviorOptions(o =>
            {
                o.InvalidModelStateResponseFactory = ModelStateErrors.Respond;
                o.SuppressMapClientErrors = true; // bodiless 4xx get the error body from ApiStatusCodes
            });
        builder.Services.ConfigureHttpJsonOptions(o => StudioJson.Apply(o.SerializerOptions));
        builder.Services.AddExceptionHandler<StudioExceptionHandler>();
        builder.Services.AddProblemDetails();
        builder.AddStudioRateLimiting();
        var origins = new CorsOrigins(studio.CorsOrigins, builder.Environment.IsDevelopment());
        builder.Services.AddSingleton(origins);
        builder.Services.AddCors(o => o.AddDefaultPolicy(p => ConfigureCors(p, origins)));
        builder.Services.AddOpenApi("v1", o =>
        {
            o.AddDocumentTransformer((doc, _, _) =>
            {
                doc.Info = new OpenApiInfo
                {
                    Title = "ComfyStudio API",
                    Version = ApiVersioning.Current,
                    Description = "The System API (/api/admin, /api/health) and the Dashboard API (/health, /api/system, /api/presets, /api/downloads, /api/comfyui) over one set of services. " +
                                  "Authenticate with X-API-Key or Authorization: Bearer.",
                };
                doc.Components ??= new OpenApiComponents();
                doc.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                doc.Components.SecuritySchemes["ApiKey"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = ApiKeyAuthenticationHandler.HeaderName,
                };
                doc.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer" };
                doc.Security ??= [];
                doc.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("ApiKey", doc)] = [] });
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    /// <summary>The API's CORS policy from <see cref="CorsOrigins"/>; the rate-limit and version headers are readable.</summary>
    public static void ConfigureCors(Microsoft.AspNetCore.Cors.Infrastructure.CorsPolicyBuilder p, CorsOrigins origins)
    {
        p.AllowAnyHeader().AllowAnyMethod()
         .WithExposedHeaders("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Reset-Time",
             "Retry-After", ApiVersioning.Header);
        if (origins.AnyOrigin)
            p.AllowAnyOrigin();
        else
            p.WithOrigins([.. origins.Listed]).AllowCredentials();
    }

    public static WebApplication MapStudioApi(this WebApplication app)
    {
        app.MapControllers();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/scalar", o => o
            .WithTitle("ComfyStudio API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .AddPreferredSecuritySchemes("ApiKey"));
        return app;
    }
}
