namespace OpenBanking.Web.Identity;

/// <summary>Delivery of the emails the account pages send, bound from the <c>Email</c> section.</summary>
public sealed class EmailSettings
{
    public const string SectionName = "Email";

    /// <summary>
    /// Folder that receives each message as an RFC 5322 <c>.eml</c> file, for a mail relay to
    /// pick up (or a developer to open). A relative path is resolved against the content root.
    /// </summary>
    public string? PickupDirectory { get; set; }

    /// <summary>Sender address of the messages.</summary>
    public string From { get; set; } = "no-reply@openbanking.local";

    /// <summary>
    /// Scheme and host that links in messages point to, such as <c>https://bank.example</c>.
    /// When empty, links use the host of the request that caused the message.
    /// </summary>
    public Uri? LinkBaseUrl { get; set; }
}
