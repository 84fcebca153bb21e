using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpenBanking.Web.Ledger;

namespace OpenBanking.Web.Data.Configurations;

internal sealed class PostingConfiguration : IEntityTypeConfiguration<Posting>
{
    public void Configure(EntityTypeBuilder<Posting> builder)
    {
        builder.Property(posting => posting.Amount).HasPaiseConversion().HasColumnName("AmountPaise");
        builder.Property(posting => posting.BalanceAfter).HasPaiseConversion().HasColumnName("BalanceAfterPaise");

        // The balance read takes the newest posting of one account: (AccountId, Id DESC) serves it.
        builder.HasIndex(posting => new { posting.AccountId, posting.Id }).IsDescending(false, true);
        builder.HasIndex(posting => posting.TransferId);
        builder.HasOne<Account>().WithMany().HasForeignKey(posting => posting.AccountId)
            .OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Transfer>().WithMany().HasForeignKey(posting => posting.TransferId)
            .OnDelete(DeleteBehavior.Restrict);
    }
}
