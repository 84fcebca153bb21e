namespace OpenBanking.Web.Identity;

public static class Roles
{
    /// <summary>Operators of the bank: the only users allowed into the admin portal.</summary>
    public const string Admin = "Admin";
}
