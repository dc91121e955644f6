namespace ShardStore.Internals.Caching;

/// <summary>Chooses the entries to delete so that a new entry fits under the limit, or says it should not be stored.</summary>
/// <remarks>
/// Order: entries of other dataset keys first (least recently used first); then the current key's entries, with a
/// next-use oracle farthest next use first (Belady; entries outside the plan first, ties by least recent use), without
/// one least recently used first. With an oracle the new entry is declined rather than displace an entry needed sooner
/// than it: the victims are taken in order and the first one needed sooner ends the plan, so a decline evicts nothing.
/// Reservations are never victims. One heap over the entries per plan: O(entries + victims * log entries).
/// </remarks>
internal static class EvictionPlanner
{
    /// <summary>Fills <paramref name="victims"/> with the entries to delete before a new entry of <paramref name="size"/> bytes fits.</summary>
    /// <returns>False (and no victims) when it cannot or should not be made to fit.</returns>
    public static bool TryPlan(CacheState state, long limit, string key, long size, long newNextUse, INextUseOracle? oracle, List<CacheEntryName> victims)
    {
        victims.Clear();
        long needed = state.UsedBytes + size - limit;
        if (needed <= 0)
        {
            return true;
        }

        if (size > limit)
        {
            return false;
        }

        var heap = new PriorityQueue<CacheEntryName, Rank>(state.Entries.Count, RankOrder.Instance);
        foreach ((CacheEntryName name, CacheEntryRecord record) in state.Entries)
        {
            bool own = string.Equals(name.DatasetKey, key, StringComparison.Ordinal);
            long next = own && oracle is not null ? Math.Max(0, oracle.NextUse(name.Shard, name.Chunk)) : long.MaxValue;
            heap.Enqueue(name, new Rank(own, next, record.LastUseTicks));
        }

        while (needed > 0 && heap.TryDequeue(out CacheEntryName victim, out Rank rank))
        {
            if (rank.Own && oracle is not null && rank.NextUse < newNextUse)
            {
                break;
            }

            victims.Add(victim);
            needed -= state.Entries[victim].Length;
        }

        if (needed > 0)
        {
            victims.Clear();
            return false;
        }

        return true;
    }

    private readonly record struct Rank(bool Own, long NextUse, long LastUseTicks);

    // Evicted first: other keys, then the farthest next use, then the least recent use.
    private sealed class RankOrder : IComparer<Rank>
    {
        public static readonly RankOrder Instance = new();

        public int Compare(Rank x, Rank y)
        {
            if (x.Own != y.Own)
            {
                return x.Own ? 1 : -1;
            }

            int byNextUse = y.NextUse.CompareTo(x.NextUse);
            return byNextUse != 0 ? byNextUse : x.LastUseTicks.CompareTo(y.LastUseTicks);
        }
    }
}
