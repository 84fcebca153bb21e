namespace OpenBanking.Web.Ledger;

/// <summary>
/// A counter that moves forward after every committed change to the ledger's balances or
/// accounts, so that caches of ledger reads can tell whether what they hold is still current.
/// </summary>
/// <remarks>
/// Only two methods write those tables: <see cref="LedgerService.TransferAsync"/> (postings)
/// and <see cref="AccountService.OpenAsync"/> (accounts). Each advances the counter after its
/// write is committed. A writer added elsewhere must advance it too.
/// </remarks>
public sealed class LedgerVersion
{
    private long _value;

    public long Current => Interlocked.Read(ref _value);

    public void Advance() => Interlocked.Increment(ref _value);
}
