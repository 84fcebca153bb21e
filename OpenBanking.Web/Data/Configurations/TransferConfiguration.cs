using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpenBanking.Web.Ledger;

namespace OpenBanking.Web.Data.Configurations;

internal sealed class TransferConfiguration : IEntityTypeConfiguration<Transfer>
{
    public void Configure(EntityTypeBuilder<Transfer> builder)
    {
        builder.Property(transfer => transfer.Amount).HasPaiseConversion().HasColumnName("AmountPaise");
        builder.Property(transfer => transfer.Currency).HasMaxLength(3);
        builder.Property(transfer => transfer.ClientId).HasMaxLength(100);
        builder.Property(transfer => transfer.AuthorizationId).HasMaxLength(100);
        builder.Property(transfer => transfer.TokenId).HasMaxLength(100);
        builder.Property(transfer => transfer.Description).HasMaxLength(200);
        builder.HasIndex(transfer => transfer.AuthorizationId);
        builder.HasIndex(transfer => new { transfer.ClientId, transfer.CreatedAt });
        builder.HasOne<Account>().WithMany().HasForeignKey(transfer => transfer.DebitAccountId)
            .OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Account>().WithMany().HasForeignKey(transfer => transfer.CreditAccountId)
            .OnDelete(DeleteBehavior.Restrict);
    }
}
