using System.Text.Json.Serialization;

namespace OpenBanking.Web.Api;

/// <summary>
/// Source-generated JSON metadata for the bank API's responses, so serializing them needs no
/// reflection. Names are snake_case like the rest of the API.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(BalanceResponse))]
[JsonSerializable(typeof(TransferResponse))]
internal sealed partial class BankApiJsonContext : JsonSerializerContext;
