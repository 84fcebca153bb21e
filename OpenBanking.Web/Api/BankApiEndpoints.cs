using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenBanking.Web.Ledger;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.Api;

/// <summary>
/// The bank API for third-party applications, as minimal API endpoints. The account is always
/// the main account of the customer who granted the bearer token.
/// </summary>
public static class BankApiEndpoints
{
    public static IEndpointRouteBuilder MapBankApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/balance/", GetBalanceAsync).RequireAuthorization(ScopePolicies.Read);
        api.MapPost("/transfer/", PostTransferAsync).RequireAuthorization(ScopePolicies.Payments);

        return app;
    }

    // The API's hottest path: one SQL query, no EF Core context and no OpenIddict manager.
    private static async Task<Results<Ok<BalanceResponse>, ProblemHttpResult>> GetBalanceAsync(
        ClaimsPrincipal user, BalanceQuery balances, ApiCallRecorder calls, TimeProvider clock, CancellationToken cancellationToken)
    {
        var account = await balances.FindAsync(user.GetClaim(Claims.Subject) ?? string.Empty, cancellationToken);
        if (account is null)
        {
            return NoAccount();
        }

        calls.Record(NewCall(user, clock, ApiOperations.BalanceRead, StatusCodes.Status200OK));
        return TypedResults.Ok(new BalanceResponse(
            Money.Format(account.Balance), account.Currency, Money.FormatPlain(account.Balance), account.Number));
    }

    private static async Task<Results<Ok<TransferResponse>, ProblemHttpResult>> PostTransferAsync(
        HttpRequest request,
        ClaimsPrincipal user,
        LedgerService ledger,
        SettlementAccounts settlementAccounts,
        ApiCallRecorder calls,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var read = await TransferBodyReader.ReadAsync(request, cancellationToken);
        if (read.Body is not { } body)
        {
            return InvalidBody(read);
        }

        var account = await ledger.FindCustomerAccountAsync(user.GetClaim(Claims.Subject) ?? string.Empty, cancellationToken);
        if (account is null)
        {
            return NoAccount();
        }

        var clientId = user.GetClaim(Claims.ClientId);
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
                clientId, user.GetAuthorizationId(), user.GetTokenId()),
            cancellationToken);

        var status = result.Outcome == TransferOutcome.Posted ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity;
        calls.Record(NewCall(user, clock, ApiOperations.Transfer, status, result.Transfer?.Id, body.Amount));
        return result.Outcome switch
        {
            TransferOutcome.Posted => TypedResults.Ok(new TransferResponse(
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

    private static ApiCall NewCall(
        ClaimsPrincipal user, TimeProvider clock, string operation, int statusCode, long? transferId = null, decimal? amount = null) =>
        new()
        {
            OccurredAt = clock.GetUtcNow(),
            Operation = operation,
            StatusCode = statusCode,
            ClientId = user.GetClaim(Claims.ClientId),
            CustomerId = user.GetClaim(Claims.Subject),
            AuthorizationId = user.GetAuthorizationId(),
            TokenId = user.GetTokenId(),
            TransferId = transferId,
            Amount = amount,
        };

    private static ProblemHttpResult NoAccount() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Account not found",
            detail: "The token was not granted by a customer who holds an account.");

    private static ProblemHttpResult Unprocessable(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: title, detail: detail);

    private static ProblemHttpResult InvalidBody(TransferBodyResult read) =>
        TypedResults.Problem(new HttpValidationProblemDetails(read.Errors)
        {
            Status = read.StatusCode,
            Title = "The transfer request is invalid.",
            Detail = string.Join(" ", read.Errors.SelectMany(error => error.Value)),
        });
}

public sealed record BalanceResponse(string Balance, string Currency, string Amount, string AccountNumber);

public sealed record TransferResponse(string Message, long TransferId, string Amount, string Currency, string PayeeAccount);
