using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ComfyStudio.Services.Data.Migrations
{
    /// <inheritdoc />
    public partial class ModelIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "model_files",
                columns: table => new
                {
                    path = table.Column<string>(type: "TEXT", nullable: false),
                    root = table.Column<string>(type: "TEXT", nullable: false),
                    type = table.Column<string>(type: "TEXT", nullable: false),
                    full_path = table.Column<string>(type: "TEXT", nullable: false),
                    size = table.Column<long>(type: "INTEGER", nullable: false),
                    modified = table.Column<DateTime>(type: "TEXT", nullable: false),
                    format = table.Column<string>(type: "TEXT", nullable: false),
                    architecture = table.Column<string>(type: "TEXT", nullable: true),
                    base_model = table.Column<string>(type: "TEXT", nullable: true),
                    problem = table.Column<string>(type: "TEXT", nullable: true),
                    may_run_code = table.Column<bool>(type: "INTEGER", nullable: false),
                    indexed_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_model_files", x => x.path);
                });

            migrationBuilder.CreateIndex(
                name: "IX_model_files_type",
                table: "model_files",
                column: "type");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "model_files");
        }
    }
}
