using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenBanking.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class PerformanceIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_OpenIddictTokens_CreationDate",
                table: "OpenIddictTokens",
                column: "CreationDate");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OpenIddictTokens_CreationDate",
                table: "OpenIddictTokens");
        }
    }
}
