using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ComfyStudio.Services.Data.Migrations
{
    /// <inheritdoc />
    public partial class GenerationsInJobs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_jobs_status",
                table: "jobs");

            migrationBuilder.AddColumn<string>(
                name: "error_node_id",
                table: "jobs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "error_node_type",
                table: "jobs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "error_traceback",
                table: "jobs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "number",
                table: "jobs",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "progress_max",
                table: "jobs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "progress_node",
                table: "jobs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "progress_value",
                table: "jobs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddCheckConstraint(
                name: "ck_jobs_status",
                table: "jobs",
                sql: "status IN ('queued','running','completed','failed','interrupted','cancelled','stalled')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_jobs_status",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "error_node_id",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "error_node_type",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "error_traceback",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "number",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "progress_max",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "progress_node",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "progress_value",
                table: "jobs");

            migrationBuilder.AddCheckConstraint(
                name: "ck_jobs_status",
                table: "jobs",
                sql: "status IN ('queued','running','completed','failed','stalled')");
        }
    }
}
