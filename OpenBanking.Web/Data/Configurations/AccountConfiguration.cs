using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpenBanking.Web.Ledger;

namespace OpenBanking.Web.Data.Configurations;

internal sealed class AccountConfiguration : IEntityTypeConfiguration<Account>
{
    public void Configure(EntityTypeBuilder<Account> builder)
    {
        builder.Property(account => account.Number).HasMaxLength(34);
        builder.HasIndex(account => account.Number).IsUnique();
        builder.Property(account => account.Name).HasMaxLength(200);
        builder.Property(account => account.Currency).HasMaxLength(3);
        builder.Property(account => account.Kind).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(account => account.OwnerId);
        builder.HasOne<BankUser>()
            .WithMany()
            .HasForeignKey(account => account.OwnerId)
            .OnDelete(DeleteBehavior.Restrict);
    }
}
