using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ComfyStudio.Services.Data.Migrations
{
    /// <inheritdoc />
    public partial class PresetInstalls : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "refetch",
                table: "download_files",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "preset_installs",
                columns: table => new
                {
                    preset_id = table.Column<string>(type: "TEXT", nullable: false),
                    version = table.Column<string>(type: "TEXT", nullable: true),
                    requested_version = table.Column<string>(type: "TEXT", nullable: false),
                    download_id = table.Column<string>(type: "TEXT", nullable: true),
                    requested_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    installed_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_preset_installs", x => x.preset_id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "preset_installs");

            migrationBuilder.DropColumn(
                name: "refetch",
                table: "download_files");
        }
    }
}
