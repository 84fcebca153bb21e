using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpenBanking.Web.Ledger;

namespace OpenBanking.Web.Data.Configurations;

internal static class PaiseConversion
{
    /// <summary>
    /// Stores a rupee amount as a whole number of paise. SQLite has no decimal type, and an
    /// INTEGER column keeps amounts exact and comparable in SQL. Callers validate the scale
    /// first: <see cref="Money.HasValidScale"/>.
    /// </summary>
    public static PropertyBuilder<decimal> HasPaiseConversion(this PropertyBuilder<decimal> property) =>
        property.HasConversion(amount => Money.ToPaise(amount), paise => Money.FromPaise(paise));
}
