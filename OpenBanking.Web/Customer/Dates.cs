using System.Globalization;

namespace OpenBanking.Web.Customer;

internal static class Dates
{
    // NOTE: times are shown in India Standard Time, the bank's zone, whatever the customer's
    // own zone is. The pages render on the server, which does not know the browser's zone.
    private static readonly TimeZoneInfo BankZone = FindBankZone();

    /// <summary>Formats a moment as a date and time in the bank's zone, such as "5 Dec 2026, 14:05 IST".</summary>
    public static string Format(DateTimeOffset moment) =>
        TimeZoneInfo.ConvertTime(moment, BankZone).ToString("d MMM yyyy, HH:mm", CultureInfo.InvariantCulture) + " IST";

    public static string Format(DateTimeOffset? moment, string whenMissing) =>
        moment is { } value ? Format(value) : whenMissing;

    private static TimeZoneInfo FindBankZone() =>
        TimeZoneInfo.TryFindSystemTimeZoneById("Asia/Kolkata", out var zone)
            ? zone
            : TimeZoneInfo.CreateCustomTimeZone("IST", TimeSpan.FromHours(5.5), "India Standard Time", "IST");
}
