using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpenBanking.Web.Api;

namespace OpenBanking.Web.Data.Configurations;

internal sealed class ApiCallConfiguration : IEntityTypeConfiguration<ApiCall>
{
    public void Configure(EntityTypeBuilder<ApiCall> builder)
    {
        builder.Property(call => call.Operation).HasMaxLength(32);
        builder.Property(call => call.ClientId).HasMaxLength(100);
        builder.Property(call => call.CustomerId).HasMaxLength(450);
        builder.Property(call => call.AuthorizationId).HasMaxLength(100);
        builder.Property(call => call.TokenId).HasMaxLength(100);
        builder.Property(call => call.Amount).HasConversion(
            amount => amount.HasValue ? Ledger.Money.ToPaise(amount.Value) : (long?)null,
            paise => paise.HasValue ? Ledger.Money.FromPaise(paise.Value) : null).HasColumnName("AmountPaise");
        builder.HasIndex(call => new { call.CustomerId, call.ClientId, call.OccurredAt });
        builder.HasIndex(call => new { call.AuthorizationId, call.OccurredAt });
    }
}
