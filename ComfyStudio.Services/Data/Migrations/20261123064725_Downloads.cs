using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ComfyStudio.Services.Data.Migrations
{
    /// <inheritdoc />
    public partial class Downloads : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "download_files",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    path = table.Column<string>(type: "TEXT", nullable: false),
                    url = table.Column<string>(type: "TEXT", nullable: false),
                    expected_size = table.Column<long>(type: "INTEGER", nullable: true),
                    expected_sha256 = table.Column<string>(type: "TEXT", nullable: true),
                    status = table.Column<string>(type: "TEXT", nullable: false),
                    total_bytes = table.Column<long>(type: "INTEGER", nullable: true),
                    downloaded_bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    validator = table.Column<string>(type: "TEXT", nullable: true),
                    done_ranges = table.Column<string>(type: "TEXT", nullable: true),
                    sha256 = table.Column<string>(type: "TEXT", nullable: true),
                    error = table.Column<string>(type: "TEXT", nullable: true),
                    error_code = table.Column<string>(type: "TEXT", nullable: true),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    completed_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_download_files", x => x.id);
                    table.CheckConstraint("ck_download_files_status", "status IN ('pending','downloading','verifying','completed','failed')");
                });

            migrationBuilder.CreateTable(
                name: "downloads",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    preset_id = table.Column<string>(type: "TEXT", nullable: true),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", nullable: false),
                    priority = table.Column<int>(type: "INTEGER", nullable: false),
                    error = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    finished_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_downloads", x => x.id);
                    table.CheckConstraint("ck_downloads_status", "status IN ('queued','downloading','paused','completed','failed','cancelled')");
                });

            migrationBuilder.CreateTable(
                name: "download_items",
                columns: table => new
                {
                    download_id = table.Column<string>(type: "TEXT", nullable: false),
                    file_id = table.Column<int>(type: "INTEGER", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_download_items", x => new { x.download_id, x.file_id });
                    table.ForeignKey(
                        name: "FK_download_items_download_files_file_id",
                        column: x => x.file_id,
                        principalTable: "download_files",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_download_items_downloads_download_id",
                        column: x => x.download_id,
                        principalTable: "downloads",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_download_files_path",
                table: "download_files",
                column: "path",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_download_items_file_id",
                table: "download_items",
                column: "file_id");

            migrationBuilder.CreateIndex(
                name: "IX_downloads_created_at",
                table: "downloads",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "IX_downloads_status",
                table: "downloads",
                column: "status");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "download_items");

            migrationBuilder.DropTable(
                name: "download_files");

            migrationBuilder.DropTable(
                name: "downloads");
        }
    }
}
