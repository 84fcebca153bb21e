using System.Globalization;
using System.Text.Json;
using OpenBanking.Web.Ledger;

namespace OpenBanking.Web.Api;

/// <summary>A transfer body that passed every rule of <see cref="TransferBodyReader"/>.</summary>
/// <param name="Amount">The amount as a decimal, positive, with at most two decimal places.</param>
/// <param name="AmountText">The amount exactly as the client wrote it, for the confirmation message.</param>
/// <param name="PayeeAccount">The payee's account number, or null for the application's settlement account.</param>
public sealed record TransferBody(decimal Amount, string AmountText, string? PayeeAccount);

/// <summary>Outcome of reading a transfer body: the body, or the status and the errors per field.</summary>
public sealed record TransferBodyResult(TransferBody? Body, int StatusCode, IDictionary<string, string[]> Errors)
{
    public static TransferBodyResult Valid(TransferBody body) => new(body, StatusCodes.Status200OK, new Dictionary<string, string[]>());

    public static TransferBodyResult Invalid(string field, string message, int statusCode = StatusCodes.Status400BadRequest) =>
        new(null, statusCode, new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>
/// Reads the JSON body of <c>POST /api/transfer/</c>. The amount must be a JSON number, not a
/// string, so the client's intent is never guessed; the text as sent is kept for the reply.
/// </summary>
public static class TransferBodyReader
{
    public const string AmountField = "amount";

    public const string PayeeField = "payee_account";

    public const string CurrencyField = "currency";

    /// <summary>Largest accepted body. A transfer body is a few dozen bytes.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    private const int MaxAccountNumberLength = 34;

    public static async Task<TransferBodyResult> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!IsJson(request.ContentType))
        {
            return TransferBodyResult.Invalid("body", "Send the transfer as JSON with Content-Type: application/json.",
                StatusCodes.Status415UnsupportedMediaType);
        }

        var bytes = await ReadLimitedAsync(request.Body, cancellationToken);
        if (bytes is null)
        {
            return TransferBodyResult.Invalid("body", $"The body is larger than {MaxBodyBytes} bytes.",
                StatusCodes.Status413PayloadTooLarge);
        }

        // System.Text.Json checks UTF-8 only where it reads a value, so a bad byte inside an
        // unread field would pass. The whole body is checked first.
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return TransferBodyResult.Invalid("body", "The body is not valid UTF-8.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            return TransferBodyResult.Invalid("body", "The body is not valid JSON. Send an object such as {\"amount\": 5000}.");
        }

        using (document)
        {
            return Validate(document.RootElement);
        }
    }

    private static TransferBodyResult Validate(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return TransferBodyResult.Invalid("body", "The body must be a JSON object such as {\"amount\": 5000}.");
        }

        var duplicate = root.EnumerateObject()
            .GroupBy(property => property.Name, StringComparer.Ordinal)
            .FirstOrDefault(group => group.Count() > 1);
        if (duplicate is not null)
        {
            return TransferBodyResult.Invalid(duplicate.Key, $"The field '{duplicate.Key}' must appear only once.");
        }

        // An unknown field may carry an intent (a memo, another currency) that this API would
        // silently drop, so the whole request is rejected instead.
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name is not (AmountField or PayeeField or CurrencyField))
            {
                return TransferBodyResult.Invalid(property.Name,
                    $"The field '{property.Name}' is not recognised; a transfer takes amount, payee_account and currency.");
            }
        }

        if (root.TryGetProperty(CurrencyField, out var currency)
            && !(currency.ValueKind == JsonValueKind.String && currency.GetString() == Money.Currency))
        {
            return TransferBodyResult.Invalid(CurrencyField, $"Only {Money.Currency} is supported; omit currency or send \"{Money.Currency}\".");
        }

        if (!root.TryGetProperty(AmountField, out var amountElement))
        {
            return TransferBodyResult.Invalid(AmountField, "The amount is required.");
        }

        var amountError = ValidateAmount(amountElement, out var amount);
        if (amountError is not null)
        {
            return TransferBodyResult.Invalid(AmountField, amountError);
        }

        string? payee = null;
        if (root.TryGetProperty(PayeeField, out var payeeElement) && payeeElement.ValueKind != JsonValueKind.Null)
        {
            payee = payeeElement.ValueKind == JsonValueKind.String ? payeeElement.GetString()?.Trim() : null;
            if (string.IsNullOrEmpty(payee) || payee.Length > MaxAccountNumberLength)
            {
                return TransferBodyResult.Invalid(PayeeField,
                    $"The payee account must be a non-empty string of at most {MaxAccountNumberLength} characters.");
            }
        }

        return TransferBodyResult.Valid(new TransferBody(amount, amountElement.GetRawText(), payee));
    }

    private static string? ValidateAmount(JsonElement element, out decimal amount)
    {
        amount = 0m;
        if (element.ValueKind != JsonValueKind.Number)
        {
            return "The amount must be a JSON number, such as 5000 or 5000.50, not a string or other value.";
        }

        const NumberStyles style = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;
        if (!decimal.TryParse(element.GetRawText(), style, CultureInfo.InvariantCulture, out amount) || amount > Money.MaxAmount)
        {
            return "The amount is too large.";
        }

        if (amount <= 0m)
        {
            return "The amount must be greater than zero.";
        }

        return Money.HasValidScale(amount) ? null : "The amount must have at most two decimal places (whole paise).";
    }

    // application/json, or any media type with the +json suffix (RFC 6839).
    private static bool IsJson(string? contentType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
        && (mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));

    // Returns null when the body is larger than MaxBodyBytes.
    private static async Task<byte[]?> ReadLimitedAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
