namespace ShardStore.Internals.Caching;

/// <summary>Chooses the entries to delete so that a new entry fits under the limit, or says it should not be stored.</summary>
/// <remarks>
/// Order: entries of other dataset keys first (least recently used first); then the current key's entries, with a
/// next-use oracle farthest next use first (Belady; entries outside the plan first, ties by least recent use), without
/// one least recently used first. With an oracle the new entry is declined rather than displace an entry needed sooner
/// than it: the victims are taken in order and the first one needed sooner ends the plan, so a decline evicts nothing.
/// Reservations are never victims. One pass over the entries per plan keeps the first few candidates; a heap over all
/// of them is built only when those are not enough.
/// </remarks>
internal static class EvictionPlanner
{
    private const int FewCandidates = 8;

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

        // Most writes displace one or two entries: one pass keeps the first few in eviction order, and only when
        // they do not make room are all entries ranked in a heap.
        var few = new Candidate[FewCandidates];
        int count = 0;
        foreach ((CacheEntryName name, CacheEntryRecord record) in state.Entries)
        {
            var candidate = new Candidate(name, RankOf(name, record, key, oracle), record.Length);
            if (count < few.Length || RankOrder.Instance.Compare(candidate.Rank, few[count - 1].Rank) < 0)
            {
                int at = Math.Min(count, few.Length - 1);
                while (at > 0 && RankOrder.Instance.Compare(candidate.Rank, few[at - 1].Rank) < 0)
                {
                    few[at] = few[at - 1];
                    at--;
                }

                few[at] = candidate;
                count = Math.Min(count + 1, few.Length);
            }
        }

        bool complete = count == state.Entries.Count;
        switch (TakeVictims(few.AsSpan(0, count), needed, newNextUse, oracle, victims))
        {
            case Outcome.Room:
                return true;
            case Outcome.Declined:
                victims.Clear();
                return false;
            case Outcome.Short when complete:
                victims.Clear();
                return false;
        }

        victims.Clear();
        var heap = new PriorityQueue<CacheEntryName, Rank>(state.Entries.Count, RankOrder.Instance);
        foreach ((CacheEntryName name, CacheEntryRecord record) in state.Entries)
        {
            heap.Enqueue(name, RankOf(name, record, key, oracle));
        }

        while (needed > 0 && heap.TryDequeue(out CacheEntryName victim, out Rank rank))
        {
            if (Declines(rank, newNextUse, oracle))
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

    private enum Outcome
    {
        Room,
        Declined,
        Short,
    }

    private static Outcome TakeVictims(ReadOnlySpan<Candidate> ordered, long needed, long newNextUse, INextUseOracle? oracle, List<CacheEntryName> victims)
    {
        foreach (Candidate c in ordered)
        {
            if (Declines(c.Rank, newNextUse, oracle))
            {
                return Outcome.Declined;
            }

            victims.Add(c.Name);
            needed -= c.Length;
            if (needed <= 0)
            {
                return Outcome.Room;
            }
        }

        return Outcome.Short;
    }

    // An entry of the current key needed sooner than the new one is not displaced for it.
    private static bool Declines(Rank victim, long newNextUse, INextUseOracle? oracle) =>
        victim.Own && oracle is not null && victim.NextUse < newNextUse;

    private static Rank RankOf(CacheEntryName name, CacheEntryRecord record, string key, INextUseOracle? oracle)
    {
        bool own = string.Equals(name.DatasetKey, key, StringComparison.Ordinal);
        long next = own && oracle is not null ? Math.Max(0, oracle.NextUse(name.Shard, name.Chunk)) : long.MaxValue;
        return new Rank(own, next, record.LastUseTicks);
    }

    private readonly record struct Candidate(CacheEntryName Name, Rank Rank, long Length);

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
