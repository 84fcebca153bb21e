using System.Globalization;
using System.Text;

namespace OpenBanking.Web.Ledger;

/// <summary>
/// Rules for rupee amounts: the currency, the precision the ledger keeps, and the display format.
/// </summary>
public static class Money
{
    public const string Currency = "INR";

    /// <summary>Decimal places of the rupee: amounts are whole paise.</summary>
    public const int Scale = 2;

    /// <summary>Largest amount the ledger stores: paise must fit in a 64-bit integer.</summary>
    public const decimal MaxAmount = long.MaxValue / 100m;

    /// <summary>Returns true when <paramref name="amount"/> has no more than two decimal places.</summary>
    public static bool HasValidScale(decimal amount) => decimal.Round(amount, Scale) == amount;

    public static long ToPaise(decimal amount) => decimal.ToInt64(amount * 100m);

    public static decimal FromPaise(long paise) => paise / 100m;

    /// <summary>
    /// Formats an amount the Indian way: rupee sign, lakh and crore grouping (1,00,000), no
    /// decimals for a whole amount and two otherwise, for example <c>₹1,00,000</c> or <c>₹1,234.50</c>.
    /// </summary>
    public static string Format(decimal amount)
    {
        var builder = new StringBuilder();
        if (amount < 0)
        {
            builder.Append('-');
            amount = -amount;
        }

        builder.Append('₹');
        var whole = decimal.Truncate(amount);
        AppendIndianGrouping(builder, whole.ToString("0", CultureInfo.InvariantCulture));

        var fraction = amount - whole;
        if (fraction != 0)
        {
            builder.Append('.');
            builder.Append(decimal.Round(fraction * 100m).ToString("00", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    /// <summary>Formats an amount for machines: invariant culture, always two decimals.</summary>
    public static string FormatPlain(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    private static void AppendIndianGrouping(StringBuilder builder, string digits)
    {
        // The last three digits form one group; every group before them has two digits.
        if (digits.Length <= 3)
        {
            builder.Append(digits);
            return;
        }

        var head = digits[..^3];
        var firstGroup = head.Length % 2 == 0 ? 2 : 1;
        builder.Append(head, 0, firstGroup);
        for (var index = firstGroup; index < head.Length; index += 2)
        {
            builder.Append(',').Append(head, index, 2);
        }

        builder.Append(',').Append(digits[^3..]);
    }
}
