using Microsoft.EntityFrameworkCore;

namespace ComfyStudio.Services.Data;

/// <summary>The product's own tables in <c>STUDIO_DIR/database/studio.db</c>.</summary>
public sealed class StudioDbContext(DbContextOptions<StudioDbContext> options) : DbContext(options)
{
    public DbSet<JobRecord> Jobs => Set<JobRecord>();
    public DbSet<EventRecord> Events => Set<EventRecord>();
    public DbSet<SettingRecord> Settings => Set<SettingRecord>();
    public DbSet<SavedPromptRecord> SavedPrompts => Set<SavedPromptRecord>();
    public DbSet<ApiKeyRecord> ApiKeys => Set<ApiKeyRecord>();
    public DbSet<EndedSessionRecord> EndedSessions => Set<EndedSessionRecord>();
    public DbSet<DownloadRecord> Downloads => Set<DownloadRecord>();
    public DbSet<DownloadItemRecord> DownloadItems => Set<DownloadItemRecord>();
    public DbSet<DownloadFileRecord> DownloadFiles => Set<DownloadFileRecord>();
    public DbSet<PresetInstallRecord> PresetInstalls => Set<PresetInstallRecord>();
    public DbSet<ModelFileRecord> ModelFiles => Set<ModelFileRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var b = modelBuilder;
        ConfigureTables(b);
        // Column names are the properties' names in snake_case (prompt_id, queued_at, …), as the System API's tables have them.
        foreach (var property in b.Model.GetEntityTypes().SelectMany(t => t.GetProperties()))
            property.SetColumnName(System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name));
    }

    private static void ConfigureTables(ModelBuilder b)
    {
        b.Entity<JobRecord>(e =>
        {
            e.ToTable("jobs", t => t.HasCheckConstraint("ck_jobs_status",
                "status IN ('queued','running','completed','failed','interrupted','cancelled','stalled')"));
            e.HasKey(x => x.PromptId);
            e.HasIndex(x => x.Status);
            e.HasIndex(x => x.QueuedAt);
            e.HasIndex(x => x.WorkflowId);
        });
        b.Entity<EventRecord>(e =>
        {
            e.ToTable("events");
            e.HasKey(x => x.Id);
            e.Property(x => x.Severity).HasDefaultValue("info");
            e.HasIndex(x => x.Timestamp);
            e.HasIndex(x => x.Type);
            e.HasIndex(x => x.Severity);
        });
        b.Entity<SettingRecord>(e =>
        {
            e.ToTable("settings");
            e.HasKey(x => x.Key);
        });
        b.Entity<SavedPromptRecord>(e =>
        {
            e.ToTable("saved_prompts", t => t.HasCheckConstraint("ck_saved_prompts_type", "type IN ('positive','negative')"));
            e.HasKey(x => x.Id);
        });
        b.Entity<EndedSessionRecord>(e =>
        {
            e.ToTable("ended_sessions");
            e.HasKey(x => x.SessionId);
            e.HasIndex(x => x.EndedAt);
        });
        b.Entity<DownloadRecord>(e =>
        {
            e.ToTable("downloads", t => t.HasCheckConstraint("ck_downloads_status",
                "status IN ('queued','downloading','paused','completed','failed','cancelled')"));
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.Status);
            e.HasIndex(x => x.CreatedAt);
            e.HasMany(x => x.Items).WithOne().HasForeignKey(x => x.DownloadId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<DownloadItemRecord>(e =>
        {
            e.ToTable("download_items");
            e.HasKey(x => new { x.DownloadId, x.FileId });
            e.HasOne(x => x.File).WithMany().HasForeignKey(x => x.FileId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<DownloadFileRecord>(e =>
        {
            e.ToTable("download_files", t => t.HasCheckConstraint("ck_download_files_status",
                "status IN ('pending','downloading','verifying','completed','failed')"));
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.Path).IsUnique();
        });
        b.Entity<PresetInstallRecord>(e =>
        {
            e.ToTable("preset_installs");
            e.HasKey(x => x.PresetId);
        });
        b.Entity<ModelFileRecord>(e =>
        {
            e.ToTable("model_files");
            e.HasKey(x => x.Path);
            e.HasIndex(x => x.Type);
        });
        b.Entity<ApiKeyRecord>(e =>
        {
            e.ToTable("api_keys");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.Name).IsUnique().HasFilter("revoked_at IS NULL");
            e.HasIndex(x => x.Hash).IsUnique();
        });
    }
}
