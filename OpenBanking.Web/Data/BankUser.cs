using Microsoft.AspNetCore.Identity;

namespace OpenBanking.Web.Data;

/// <summary>
/// A person who signs in to the bank: a customer, an operator, or both.
/// </summary>
public sealed class BankUser : IdentityUser
{
    public string? DisplayName { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
