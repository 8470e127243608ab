using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ComfyStudio.Services.Data.Migrations
{
    /// <inheritdoc />
    public partial class ModelHashes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "expected_sha256",
                table: "model_files",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "hash_matches",
                table: "model_files",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "hashed_modified",
                table: "model_files",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "hashed_size",
                table: "model_files",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "sha256",
                table: "model_files",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "expected_sha256",
                table: "model_files");

            migrationBuilder.DropColumn(
                name: "hash_matches",
                table: "model_files");

            migrationBuilder.DropColumn(
                name: "hashed_modified",
                table: "model_files");

            migrationBuilder.DropColumn(
                name: "hashed_size",
                table: "model_files");

            migrationBuilder.DropColumn(
                name: "sha256",
                table: "model_files");
        }
    }
}
