using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Web.Data;

namespace OpenBanking.Bench.Tool;

internal static class BenchDatabase
{
    /// <summary>Opens the product's context on an existing database file, with the product's model.</summary>
    public static BankDbContext Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException($"Database file '{path}' was not found. Start the product once to create it.");
        }

        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite }.ToString();
        var options = new DbContextOptionsBuilder<BankDbContext>()
            .UseSqlite(connectionString)
            .UseOpenIddict()
            .Options;
        return new BankDbContext(options);
    }
}
