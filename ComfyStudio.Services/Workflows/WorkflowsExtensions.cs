using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ComfyStudio.Services.Workflows;

public static class WorkflowsExtensions
{
    public static IHostApplicationBuilder AddStudioWorkflows(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<NodeCatalog>();
        builder.Services.AddSingleton<WorkflowLibrary>();
        builder.Services.AddSingleton<WorkflowModels>();
        builder.Services.AddSingleton<WorkflowRunner>();
        builder.Services.AddSingleton<SavedPrompts>();
        builder.Services.AddSingleton<WorkflowReadinessWatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WorkflowReadinessWatcher>());
        return builder;
    }
}
