using Microsoft.AspNetCore.Components;
using MudBlazor;
using OpenBanking.Web.Admin.Security;

namespace OpenBanking.Web.Admin.Common;

/// <summary>
/// Base of the portal's pages: runs a service call, turns its failure into a readable message,
/// and confirms success in a snackbar. A caller who is no longer an operator is sent to the login page.
/// </summary>
public abstract partial class AdminPageBase : ComponentBase
{
    [Inject]
    protected ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    protected IDialogService Dialogs { get; set; } = default!;

    [Inject]
    protected NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ILogger<AdminPageBase> Logger { get; set; } = default!;

    /// <summary>Runs <paramref name="action"/>; returns the error message, or null on success.</summary>
    protected async Task<string?> TryAsync(Func<Task> action, string? success = null)
    {
        try
        {
            await action();
            if (success is not null)
            {
                Snackbar.Add(success, Severity.Success);
            }

            return null;
        }
        catch (AdminAccessDeniedException)
        {
            var returnUrl = Uri.EscapeDataString("/" + Navigation.ToBaseRelativePath(Navigation.Uri));
            Navigation.NavigateTo($"/Identity/Account/Login?returnUrl={returnUrl}", forceLoad: true);
            return "Your operator session ended: sign in again.";
        }
        catch (Exception exception) when (exception is InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            LogRejected(Logger, GetType().Name, exception.Message);
            Snackbar.Add(exception.Message, Severity.Error);
            return exception.Message;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogFailed(Logger, exception, GetType().Name);
            const string message = "The action failed because of a server error; details are in the server log.";
            Snackbar.Add(message, Severity.Error);
            return message;
        }
    }

    /// <summary>Asks the operator to confirm a destructive action; returns true when confirmed.</summary>
    protected async Task<bool> ConfirmAsync(string title, string message, string confirmText)
    {
        var result = await Dialogs.ShowMessageBoxAsync(title, message, yesText: confirmText, cancelText: "Cancel");
        return result == true;
    }

    [LoggerMessage(EventId = 8103, Level = LogLevel.Information, Message = "Portal page {Page} rejected an action: {Reason}")]
    private static partial void LogRejected(ILogger logger, string page, string reason);

    [LoggerMessage(EventId = 8102, Level = LogLevel.Error, Message = "Portal page {Page} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string page);
}
