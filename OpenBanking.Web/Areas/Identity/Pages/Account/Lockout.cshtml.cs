using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using OpenBanking.Web.Identity;

namespace OpenBanking.Web.Areas.Identity.Pages.Account;

[AllowAnonymous]
public sealed class LockoutModel(IOptions<SignInSettings> settings) : PageModel
{
    public int LockoutMinutes => settings.Value.LockoutMinutes;
}
