using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ComfyStudio.Services.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the context without the host.</summary>
internal sealed class DesignTimeStudioDbContextFactory : IDesignTimeDbContextFactory<StudioDbContext>
{
    public StudioDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<StudioDbContext>();
        Configure(options, Path.Combine(Path.GetTempPath(), "comfystudio-design.db"));
        return new StudioDbContext(options.Options);
    }

    private static void Configure(DbContextOptionsBuilder o, string path) => StudioDataExtensions.Configure(o, path);
}
