using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenBanking.Web.Data;
using OpenBanking.Web.Ledger;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.Api;

/// <summary>
/// The bank API for third-party applications. The account is always the main account of the
/// customer who granted the bearer token.
/// </summary>
[ApiController]
[Route("api")]
public sealed class BankApiController(
    LedgerService ledger, SettlementAccounts settlementAccounts, ApiCallRecorder calls, TimeProvider clock) : ControllerBase
{
    /// <summary>Property of an OpenIddict application that contains its settlement account number.</summary>
    public const string SettlementAccountProperty = "settlement_account";

    [HttpGet("balance/")]
    [Authorize(Policy = ScopePolicies.Read)]
    public async Task<IActionResult> GetBalance([FromServices] BankDbContext db, CancellationToken cancellationToken)
    {
        // One compiled query reads the account and its balance: this is the API's hottest path.
        var account = await db.FindCustomerBalanceAsync(User.GetClaim(Claims.Subject) ?? string.Empty, cancellationToken);
        if (account is null)
        {
            return NoAccount();
        }

        var balance = account.Balance ?? 0m;
        Record(ApiOperations.BalanceRead, StatusCodes.Status200OK);
        return Ok(new BalanceResponse(Money.Format(balance), account.Currency, Money.FormatPlain(balance), account.Number));
    }

    [HttpPost("transfer/")]
    [Authorize(Policy = ScopePolicies.Payments)]
    public async Task<IActionResult> PostTransfer(CancellationToken cancellationToken)
    {
        var read = await TransferBodyReader.ReadAsync(Request, cancellationToken);
        if (read.Body is not { } body)
        {
            return InvalidBody(read);
        }

        var account = await FindCustomerAccountAsync(cancellationToken);
        if (account is null)
        {
            return NoAccount();
        }

        var clientId = User.GetClaim(Claims.ClientId);
        var payee = body.PayeeAccount is null
            ? await settlementAccounts.FindForClientAsync(clientId, cancellationToken)
            : await ledger.FindAccountByNumberAsync(body.PayeeAccount, cancellationToken);
        if (payee is null)
        {
            return Unprocessable("Payee not found", body.PayeeAccount is null
                ? "This application has no settlement account; name the payee in 'payee_account'."
                : $"No account has the number '{body.PayeeAccount}'.");
        }

        var result = await ledger.TransferAsync(
            new TransferRequest(account.Id, payee.Id, body.Amount, $"Payment to {payee.Name}",
                clientId, User.GetAuthorizationId(), User.GetTokenId()),
            cancellationToken);

        Record(ApiOperations.Transfer,
            result.Outcome == TransferOutcome.Posted ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity,
            result.Transfer?.Id, body.Amount);
        return result.Outcome switch
        {
            TransferOutcome.Posted => Ok(new TransferResponse(
                $"₹{body.AmountText} transferred successfully!",
                result.Transfer!.Id,
                Money.FormatPlain(body.Amount),
                Money.Currency,
                payee.Number)),
            TransferOutcome.InsufficientFunds => Unprocessable(
                "Insufficient funds", "The amount is larger than the available balance. Nothing was transferred."),
            _ => Unprocessable("Invalid payee", "The payee account is the customer's own account."),
        };
    }

    private void Record(string operation, int statusCode, long? transferId = null, decimal? amount = null) =>
        calls.Record(new ApiCall
        {
            OccurredAt = clock.GetUtcNow(),
            Operation = operation,
            StatusCode = statusCode,
            ClientId = User.GetClaim(Claims.ClientId),
            CustomerId = User.GetClaim(Claims.Subject),
            AuthorizationId = User.GetAuthorizationId(),
            TokenId = User.GetTokenId(),
            TransferId = transferId,
            Amount = amount,
        });

    private Task<Account?> FindCustomerAccountAsync(CancellationToken cancellationToken) =>
        ledger.FindCustomerAccountAsync(User.GetClaim(Claims.Subject) ?? string.Empty, cancellationToken);

    private ObjectResult NoAccount() =>
        Problem(statusCode: StatusCodes.Status404NotFound, title: "Account not found",
            detail: "The token was not granted by a customer who holds an account.");

    private ObjectResult Unprocessable(string title, string detail) =>
        Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: title, detail: detail);

    private static ObjectResult InvalidBody(TransferBodyResult read)
    {
        var details = new ValidationProblemDetails(read.Errors)
        {
            Status = read.StatusCode,
            Title = "The transfer request is invalid.",
            Detail = string.Join(" ", read.Errors.SelectMany(error => error.Value)),
        };

        return new ObjectResult(details) { StatusCode = read.StatusCode, ContentTypes = { "application/problem+json" } };
    }
}

public sealed record BalanceResponse(string Balance, string Currency, string Amount, string AccountNumber);

public sealed record TransferResponse(string Message, long TransferId, string Amount, string Currency, string PayeeAccount);
