using System.ComponentModel.DataAnnotations;

namespace OpenBanking.Web.Identity;

/// <summary>Sign-in rules, bound from the <c>Identity</c> section.</summary>
public sealed class SignInSettings
{
    public const string SectionName = "Identity";

    /// <summary>Failed password attempts in a row that lock an account.</summary>
    [Range(3, 20)]
    public int MaxFailedAccessAttempts { get; set; } = 5;

    [Range(1, 1440)]
    public int LockoutMinutes { get; set; } = 15;

    /// <summary>Whether anyone may create a customer login at /Identity/Account/Register.</summary>
    public bool AllowRegistration { get; set; }
}
