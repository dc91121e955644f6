namespace ShardStore.Tests.Loading.Infrastructure;

/// <summary>
/// Checks loader states' ledgers against a plan as <c>shardpack order --ledger</c> does: per epoch, the ledgers of one
/// stretch of positions (one per rank) add up to the plan's keys there, and the stretches tile the epoch from 0.
/// </summary>
internal static class LedgerProof
{
    /// <summary>Returns the problems found (none when every planned sample was delivered exactly once) and how far each epoch is covered from 0.</summary>
    /// <param name="states">The saved states; their <see cref="LoaderState.Ledger"/> and <see cref="LoaderState.PreviousLedger"/> count.</param>
    /// <param name="plannedKeys">The ledger keys of an epoch's global order, position by position.</param>
    public static (List<string> Problems, Dictionary<int, long> Covered) Check(IEnumerable<LoaderState> states, Func<int, long[]> plannedKeys)
    {
        var problems = new List<string>();
        var coveredTo = new Dictionary<int, long>();
        LoaderLedger[] ledgers = [.. states.SelectMany(s => new[] { s.Ledger, s.PreviousLedger }).OfType<LoaderLedger>().Distinct()];
        foreach (IGrouping<int, LoaderLedger> epoch in ledgers.GroupBy(l => l.Epoch).OrderBy(g => g.Key))
        {
            long[] keys = plannedKeys(epoch.Key);
            long covered = 0;
            foreach (IGrouping<(long From, long To, int WorldSize), LoaderLedger> stretch in epoch.GroupBy(l => (l.From, l.To, l.WorldSize)).OrderBy(g => g.Key.From))
            {
                (long from, long to, int world) = stretch.Key;
                string where = $"epoch {epoch.Key} [{from}, {to})";
                if (stretch.Select(l => l.Rank).Distinct().Count() != world || stretch.Count() != world)
                {
                    problems.Add($"{where}: not one ledger per rank");
                }

                long count = stretch.Sum(l => l.Count);
                ulong sum = stretch.Aggregate(0UL, (s, l) => unchecked(s + l.Sum));
                ulong expected = keys.Skip((int)from).Take((int)(to - from)).Aggregate(0UL, (s, k) => unchecked(s + LoaderLedger.Hash(k)));
                if (count != to - from)
                {
                    problems.Add($"{where}: {count} delivered, {to - from} planned: {(count > to - from ? $"{count - (to - from)} repeated" : $"{to - from - count} missing")}");
                }
                else if (sum != expected)
                {
                    problems.Add($"{where}: not the planned samples");
                }

                if (from != covered)
                {
                    problems.Add($"{where}: starts at {from}, not at {covered}");
                }

                covered = Math.Max(covered, to);
            }

            coveredTo[epoch.Key] = covered;
        }

        return (problems, coveredTo);
    }
}
