using OpenBanking.Web.Ledger;

namespace OpenBanking.Tests.Ledger;

public sealed class MoneyTests
{
    [Theory]
    [InlineData("0", "₹0")]
    [InlineData("5", "₹5")]
    [InlineData("999", "₹999")]
    [InlineData("1000", "₹1,000")]
    [InlineData("95000", "₹95,000")]
    [InlineData("100000", "₹1,00,000")]
    [InlineData("1234567.5", "₹12,34,567.50")]
    [InlineData("10000000", "₹1,00,00,000")]
    [InlineData("0.05", "₹0.05")]
    [InlineData("-1500", "-₹1,500")]
    public void Format_UsesIndianGrouping(string amount, string expected)
    {
        Assert.Equal(expected, Money.Format(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("1.23", true)]
    [InlineData("1.230", true)]
    [InlineData("1.234", false)]
    public void HasValidScale_AllowsWholePaise(string amount, bool expected)
    {
        Assert.Equal(expected, Money.HasValidScale(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)));
    }
}
