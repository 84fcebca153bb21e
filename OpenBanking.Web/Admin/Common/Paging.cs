namespace OpenBanking.Web.Admin.Common;

/// <summary>One page of a server-side grid: zero-based page index, size and sort.</summary>
public sealed record PageRequest(int Page, int PageSize, string? SortBy = null, bool Descending = false)
{
    public const int MaxPageSize = 200;

    /// <summary>Rows to skip; the page size is clamped to 1..<see cref="MaxPageSize"/>.</summary>
    public int Skip => Math.Max(0, Page) * Take;

    public int Take => Math.Clamp(PageSize, 1, MaxPageSize);
}

/// <summary>The rows of one page and the number of rows on every page together.</summary>
public sealed record PageResult<T>(IReadOnlyList<T> Items, int TotalItems);
