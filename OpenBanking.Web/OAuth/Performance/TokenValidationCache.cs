using System.Collections.Concurrent;
using System.Security.Claims;

namespace OpenBanking.Web.OAuth.Performance;

/// <summary>
/// In-process cache for bearer token validation: the principal read from each access token, and
/// the revocation state of token and authorization entries. Every API call otherwise decrypted
/// the token and read its token entry from SQLite.
/// </summary>
/// <remarks>
/// <para>
/// Principals: a token's text decides its claims, because it is signed. The cache skips only the
/// decryption and signature check; expiry, audience, and the entry checks below still run on
/// every request.
/// </para>
/// <para>
/// Entries, and why revocation stays exact: this host is the only process that writes its SQLite
/// database, and every write to the token and authorization tables goes through EF Core, where
/// <see cref="TokenWriteInvalidator"/> intercepts it. After any UPDATE or DELETE of those tables
/// commits, it removes the rows it can identify (or everything when it cannot) before the writing
/// request returns, so the next request reads the database again. That covers OpenIddict's managers
/// (revocation, redemption, pruning, bulk RevokeByAuthorizationIdAsync), GrantService, the admin
/// portal, ExecuteUpdate and raw SQL alike. A reader that loaded an entry while a write was under
/// way must not store what it read: every invalidation increments <see cref="_version"/>, and
/// <see cref="Add{T}"/> stores only when the version is unchanged since the reader began.
/// NOTE: a write from another process (a sqlite3 shell, a second host on the same file) is not
/// seen; restart the host after one.
/// </para>
/// </remarks>
public sealed class TokenValidationCache
{
    /// <summary>Maximum number of items per map; a full map is emptied, the simplest bounded policy.</summary>
    public const int MaxEntries = 50_000;

    private readonly ConcurrentDictionary<string, ClaimsPrincipal> _principals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TokenEntrySnapshot> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _authorizations = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _version;

    /// <summary>Returns a copy of the principal cached for this token text, or null.</summary>
    public ClaimsPrincipal? FindPrincipal(string token) =>
        _principals.TryGetValue(token, out var principal) ? DeepCopy(principal) : null;

    /// <summary>Caches a copy of a principal that OpenIddict has just read from a valid token.</summary>
    public void AddPrincipal(string token, ClaimsPrincipal principal)
    {
        if (_principals.ContainsKey(token))
        {
            return;
        }

        if (_principals.Count >= MaxEntries)
        {
            _principals.Clear();
        }

        _principals.TryAdd(token, DeepCopy(principal));
    }

    /// <summary>Returns the version that a reader passes to the Add methods after reading the database.</summary>
    public long BeginRead() => Volatile.Read(ref _version);

    public bool TryGetToken(string id, out TokenEntrySnapshot snapshot) => _tokens.TryGetValue(id, out snapshot!);

    public void AddToken(string id, TokenEntrySnapshot snapshot, long version) => Add(_tokens, id, snapshot, version);

    /// <summary>Returns whether the authorization is cached, and if so whether it is valid.</summary>
    public bool TryGetAuthorization(string id, out bool valid) => _authorizations.TryGetValue(id, out valid);

    public void AddAuthorization(string id, bool valid, long version) => Add(_authorizations, id, valid, version);

    /// <summary>Forgets one token entry; called after its row changed.</summary>
    public void InvalidateToken(string id)
    {
        lock (_gate)
        {
            _version++;
            _tokens.TryRemove(id, out _);
        }
    }

    /// <summary>Forgets one authorization entry; called after its row changed.</summary>
    public void InvalidateAuthorization(string id)
    {
        lock (_gate)
        {
            _version++;
            _authorizations.TryRemove(id, out _);
        }
    }

    /// <summary>Forgets every entry; called after a write whose rows are unknown.</summary>
    public void InvalidateAll()
    {
        lock (_gate)
        {
            _version++;
            _tokens.Clear();
            _authorizations.Clear();
        }
    }

    // ClaimsPrincipal.Clone copies only the list of identities, so two requests would share
    // (and change) the same claims. Each identity is copied with its claims.
    public static ClaimsPrincipal DeepCopy(ClaimsPrincipal principal) =>
        new(principal.Identities.Select(identity => identity.Clone()));

    private void Add<T>(ConcurrentDictionary<string, T> map, string id, T value, long version)
    {
        lock (_gate)
        {
            if (_version != version)
            {
                return;
            }

            if (map.Count >= MaxEntries)
            {
                map.Clear();
            }

            map[id] = value;
        }
    }
}

/// <summary>The fields of a token entry that access token validation reads.</summary>
public sealed record TokenEntrySnapshot(
    string Id,
    bool IsValid,
    DateTimeOffset? CreationDate,
    DateTimeOffset? ExpirationDate,
    string? AuthorizationId,
    string? Type,
    bool HasReferenceId);
