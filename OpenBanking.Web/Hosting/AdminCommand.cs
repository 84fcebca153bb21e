using Microsoft.AspNetCore.Identity;
using OpenBanking.Web.Data;
using OpenBanking.Web.Identity;

namespace OpenBanking.Web.Hosting;

/// <summary>
/// The <c>create-admin</c> command of the host executable, which creates the first operator of
/// a production database: <c>OpenBanking.Web create-admin --email ops@bank.example</c>. The
/// password is read from the OPENBANKING_ADMIN_PASSWORD environment variable or, when it is
/// unset, from the first line of standard input, so it never appears in the process list.
/// </summary>
public static partial class AdminCommand
{
    public const string Name = "create-admin";

    public const string PasswordVariable = "OPENBANKING_ADMIN_PASSWORD";

    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == Name;

    /// <summary>Creates or promotes the operator and returns the process exit code.</summary>
    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextReader? input = null)
    {
        var emailIndex = Array.IndexOf(args, "--email");
        if (emailIndex < 0 || emailIndex + 1 >= args.Length)
        {
            await Console.Error.WriteLineAsync($"Usage: OpenBanking.Web {Name} --email <address>  (password from {PasswordVariable} or stdin)");
            return 2;
        }

        var email = args[emailIndex + 1];
        var password = Environment.GetEnvironmentVariable(PasswordVariable) ?? await (input ?? Console.In).ReadLineAsync();
        if (string.IsNullOrEmpty(password))
        {
            await Console.Error.WriteLineAsync($"No password given: set {PasswordVariable} or write it on standard input.");
            return 2;
        }

        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<BankUser>>();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        if (!await roles.RoleExistsAsync(Roles.Admin))
        {
            await roles.CreateAsync(new IdentityRole(Roles.Admin));
        }

        var user = await users.FindByEmailAsync(email);
        var result = user is null
            ? await users.CreateAsync(user = new BankUser
            {
                UserName = email,
                Email = email,
                EmailConfirmed = true,
                DisplayName = "Operator",
                CreatedAt = DateTimeOffset.UtcNow,
            }, password)
            : IdentityResult.Success;
        if (result.Succeeded && !await users.IsInRoleAsync(user, Roles.Admin))
        {
            result = await users.AddToRoleAsync(user, Roles.Admin);
        }

        if (!result.Succeeded)
        {
            await Console.Error.WriteLineAsync($"Could not create operator {email}: "
                + string.Join("; ", result.Errors.Select(error => error.Description)));
            return 1;
        }

        await Console.Out.WriteLineAsync($"Operator {email} is in role {Roles.Admin}.");
        return 0;
    }
}
