using Microsoft.AspNetCore.Mvc;

namespace OpenBanking.Web.Areas.Identity.Pages.Account;

internal static class ReturnUrls
{
    /// <summary>Where a customer lands after signing in when nothing else was requested.</summary>
    public const string Default = "/account";

    /// <summary>
    /// Returns <paramref name="returnUrl"/> when it is a path on this site, otherwise
    /// <see cref="Default"/>. <see cref="IUrlHelper.IsLocalUrl"/> rejects absolute URLs and the
    /// protocol-relative forms (<c>//host</c>, <c>/\host</c>) that browsers treat as absolute.
    /// </summary>
    public static string Local(IUrlHelper url, string? returnUrl) =>
        url.IsLocalUrl(returnUrl) ? returnUrl! : Default;
}
