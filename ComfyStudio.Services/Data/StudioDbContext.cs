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

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<JobRecord>(e =>
        {
            e.ToTable("jobs", t => t.HasCheckConstraint("ck_jobs_status",
                "status IN ('queued','running','completed','failed','stalled')"));
            e.HasKey(x => x.PromptId);
            e.Property(x => x.PromptId).HasColumnName("prompt_id");
            e.Property(x => x.WorkflowId).HasColumnName("workflow_id");
            e.Property(x => x.WorkflowName).HasColumnName("workflow_name");
            e.Property(x => x.Params).HasColumnName("params");
            e.Property(x => x.Seeds).HasColumnName("seeds");
            e.Property(x => x.Output).HasColumnName("output");
            e.Property(x => x.Outputs).HasColumnName("outputs");
            e.Property(x => x.OutputDir).HasColumnName("output_dir");
            e.Property(x => x.InputImage).HasColumnName("input_image");
            e.Property(x => x.Error).HasColumnName("error");
            e.Property(x => x.Status).HasColumnName("status");
            e.Property(x => x.QueuedAt).HasColumnName("queued_at");
            e.Property(x => x.StartedAt).HasColumnName("started_at");
            e.Property(x => x.FinishedAt).HasColumnName("finished_at");
            e.Property(x => x.Duration).HasColumnName("duration");
            e.HasIndex(x => x.Status);
            e.HasIndex(x => x.QueuedAt);
            e.HasIndex(x => x.WorkflowId);
        });
        b.Entity<EventRecord>(e =>
        {
            e.ToTable("events");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.Type).HasColumnName("type");
            e.Property(x => x.Timestamp).HasColumnName("timestamp");
            e.Property(x => x.Severity).HasColumnName("severity").HasDefaultValue("info");
            e.Property(x => x.Message).HasColumnName("message");
            e.Property(x => x.Data).HasColumnName("data");
            e.HasIndex(x => x.Timestamp);
            e.HasIndex(x => x.Type);
            e.HasIndex(x => x.Severity);
        });
        b.Entity<SettingRecord>(e =>
        {
            e.ToTable("settings");
            e.HasKey(x => x.Key);
            e.Property(x => x.Key).HasColumnName("key");
            e.Property(x => x.Value).HasColumnName("value");
            e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
        });
        b.Entity<SavedPromptRecord>(e =>
        {
            e.ToTable("saved_prompts", t => t.HasCheckConstraint("ck_saved_prompts_type", "type IN ('positive','negative')"));
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.Type).HasColumnName("type");
            e.Property(x => x.Text).HasColumnName("text");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
        });
        b.Entity<ApiKeyRecord>(e =>
        {
            e.ToTable("api_keys");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.Name).HasColumnName("name");
            e.Property(x => x.Hash).HasColumnName("hash");
            e.Property(x => x.Prefix).HasColumnName("prefix");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.Property(x => x.LastUsedAt).HasColumnName("last_used_at");
            e.Property(x => x.RevokedAt).HasColumnName("revoked_at");
            e.HasIndex(x => x.Name).IsUnique().HasFilter("revoked_at IS NULL");
            e.HasIndex(x => x.Hash).IsUnique();
        });
    }
}
