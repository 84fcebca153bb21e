using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenBanking.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class AdminPortal : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_OpenIddictTokens_CreationDate_Id",
                table: "OpenIddictTokens",
                columns: new[] { "CreationDate", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OpenIddictTokens_CreationDate_Id",
                table: "OpenIddictTokens");
        }
    }
}
