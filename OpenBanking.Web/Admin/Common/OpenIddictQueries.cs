using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.Admin.Common;

/// <summary>Filters over OpenIddict's token and authorization tables that several pages share.</summary>
public static class OpenIddictQueries
{
    /// <summary>Keeps tokens that still work: status valid and not past their expiration date.</summary>
    public static IQueryable<OpenIddictEntityFrameworkCoreToken> WhereLive(
        this IQueryable<OpenIddictEntityFrameworkCoreToken> tokens, DateTimeOffset now)
    {
        // OpenIddict stores dates as UTC DateTime values.
        var utcNow = now.UtcDateTime;
        return tokens.Where(token => token.Status == Statuses.Valid
            && (token.ExpirationDate == null || token.ExpirationDate > utcNow));
    }
}
