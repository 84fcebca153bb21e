using System.Text;
using System.Text.Unicode;

namespace OpenBanking.Web.Security;

/// <summary>
/// Checks a raw query string or form body, before ASP.NET Core decodes it, for percent-escapes
/// that do not decode to UTF-8 text without control characters.
/// </summary>
public static class RawParameterEncoding
{
    /// <summary>Key of <see cref="HttpContext.Items"/> set when an authorization request's query is malformed.</summary>
    public const string MalformedMarker = "OpenBanking.MalformedParameters";

    public const string ErrorDescription =
        "The request contains bytes that are not valid UTF-8 or control characters; percent-encode UTF-8 text only.";

    /// <summary>Returns whether the decoded bytes are UTF-8 without C0, DEL or C1 control characters.</summary>
    public static bool IsWellFormed(ReadOnlySpan<byte> raw)
    {
        var decoded = Decode(raw);
        if (!Utf8.IsValid(decoded))
        {
            return false;
        }

        foreach (var character in Encoding.UTF8.GetString(decoded))
        {
            if (character < 0x20 || character is >= '\u007F' and <= '\u009F')
            {
                return false;
            }
        }

        return true;
    }

    // Decodes %XX escapes and '+' (a space in forms); an escape that is not two hex digits stays literal.
    private static byte[] Decode(ReadOnlySpan<byte> raw)
    {
        var decoded = new byte[raw.Length];
        var length = 0;
        for (var index = 0; index < raw.Length; index++)
        {
            var current = raw[index];
            if (current == '%' && index + 2 < raw.Length
                && IsHex(raw[index + 1]) && IsHex(raw[index + 2]))
            {
                decoded[length++] = (byte)((HexValue(raw[index + 1]) << 4) | HexValue(raw[index + 2]));
                index += 2;
                continue;
            }

            decoded[length++] = current == '+' ? (byte)' ' : current;
        }

        return decoded[..length];
    }

    private static bool IsHex(byte value) => char.IsAsciiHexDigit((char)value);

    private static int HexValue(byte value) => value <= '9' ? value - '0' : (value | 0x20) - 'a' + 10;
}
