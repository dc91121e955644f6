using System.CommandLine;
using System.Globalization;

namespace ShardPack.Commands;

/// <summary>
/// <c>shardpack order DATASET --ledger STATE...</c> (or <c>--mix ... --ledger</c>, <c>DATASET --split NAME --ledger</c>):
/// checks the ledgers that loader states carry (<see cref="ShardLoaderOptions.Ledger"/>) against the plan: for each
/// epoch and stretch of positions, the ledgers of every rank must add up to exactly the samples the plan puts there,
/// and the stretches must tile the epoch from position 0 without gaps or overlaps.
/// </summary>
internal static class LedgerCheck
{
    /// <summary>Prints one line per epoch and per problem, then OK or MISMATCH.</summary>
    /// <returns><see cref="ExitCodes.Success"/>, or <see cref="ExitCodes.BadData"/> on a mismatch.</returns>
    /// <param name="context">The output.</param>
    /// <param name="files">The state files.</param>
    /// <param name="openPlan">Opens the plan of the run the first state belongs to; it checks that the states are of its dataset or mixture.</param>
    /// <exception cref="UsageException">A state has no ledger, or the states are of different runs.</exception>
    /// <exception cref="InvalidDataException">The states belong to another dataset or mixture than the plan's.</exception>
    public static int Run(CommandContext context, IReadOnlyList<string> files, Func<LoaderState, ILedgerPlan> openPlan)
    {
        var states = files.Select(f => (File: f, State: LoaderState.Load(f))).ToList();
        LoaderState first = states[0].State;
        foreach ((string file, LoaderState state) in states)
        {
            if (state.Ledger is null)
            {
                throw new UsageException($"the loader state '{file}' has no ledger; run the loader with ShardLoaderOptions.Ledger = true.");
            }

            if (state.Seed != first.Seed || state.Order != first.Order || state.BatchSize != first.BatchSize || state.WindowChunks != first.WindowChunks
                || state.LogicalPartitions != first.LogicalPartitions || state.WindowPieceSamples != first.WindowPieceSamples || state.DatasetIdentity != first.DatasetIdentity
                || state.Mixture != first.Mixture || (first.Mixture is not null && state.DatasetFingerprint != first.DatasetFingerprint))
            {
                throw new UsageException($"the loader state '{file}' has other order options or another dataset than '{states[0].File}'; give the states of one run.");
            }
        }

        using ILedgerPlan plans = openPlan(first);
        TextWriter o = context.Output;
        var problems = new List<string>();
        LoaderLedger[] ledgers = [.. states.SelectMany(s => new[] { s.State.Ledger, s.State.PreviousLedger }).OfType<LoaderLedger>().Distinct()];
        foreach (IGrouping<int, LoaderLedger> epoch in ledgers.GroupBy(l => l.Epoch).OrderBy(g => g.Key))
        {
            int before = problems.Count;
            var stretches = new List<(long From, long To)>();
            long samples = 0;
            foreach (IGrouping<(long From, long To, int WorldSize, int? Generation), LoaderLedger> stretch in epoch
                .GroupBy(l => (l.From, l.To, l.WorldSize, l.Generation)).OrderBy(g => g.Key.From).ThenByDescending(g => g.Key.To))
            {
                (long from, long to, int world, int? generation) = stretch.Key;
                string where = $"epoch {epoch.Key}, positions {from} to {to} ({world} ranks)";
                int[] ranks = [.. stretch.Select(l => l.Rank)];
                int[] twice = [.. ranks.GroupBy(r => r).Where(g => g.Count() > 1).Select(g => g.Key)];
                int[] missing = [.. Enumerable.Range(0, world).Except(ranks)];
                if (twice.Length > 0)
                {
                    problems.Add($"{where}: ranks {string.Join(", ", twice)} have two different ledgers; give one state per rank and point in time");
                    continue;
                }

                if (missing.Length > 0)
                {
                    problems.Add($"{where}: no ledger of rank{(missing.Length > 1 ? "s" : "")} {string.Join(", ", missing)}; give the state of every rank");
                    continue;
                }

                long count = stretch.Sum(l => l.Count);
                ulong sum = stretch.Aggregate(0UL, (s, l) => unchecked(s + l.Sum));
                (long expectedCount, ulong expectedSum) = plans.Expected(epoch.Key, generation, from, to);
                if (count > expectedCount)
                {
                    problems.Add($"{where}: {count} samples delivered where the plan has {expectedCount}: {count - expectedCount} repeated");
                }
                else if (count < expectedCount)
                {
                    problems.Add($"{where}: {count} samples delivered where the plan has {expectedCount}: {expectedCount - count} missing");
                }
                else if (sum != expectedSum)
                {
                    problems.Add($"{where}: {count} samples delivered as planned, but not the planned ones: some were repeated and as many missed");
                }

                stretches.Add((from, to));
                samples = Math.Max(samples, count);
            }

            long covered = 0;
            foreach ((long from, long to) in stretches)
            {
                if (from > covered)
                {
                    problems.Add($"epoch {epoch.Key}: positions {covered} to {from} ({from - covered} samples) are in no ledger given: missing, unless the states of every rank from before a restart with another world size were left out");
                }
                else if (from < covered && to > covered)
                {
                    problems.Add($"epoch {epoch.Key}: positions {from} to {covered} ({covered - from} samples) are counted by two runs: repeated");
                }

                covered = Math.Max(covered, to);
            }

            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch.Key}: positions 0 to {covered}: {(problems.Count == before ? "every sample exactly once" : "MISMATCH")}"));
        }

        foreach (string problem in problems)
        {
            o.WriteLine($"  {problem}");
        }

        if (problems.Count > 0)
        {
            o.WriteLine($"MISMATCH: {problems.Count} problem{(problems.Count > 1 ? "s" : "")}");
            context.Error.WriteLine($"error: the ledgers of {states.Count} loader state{(states.Count > 1 ? "s" : "")} do not match the plan ({problems[0]}).");
            return ExitCodes.BadData;
        }

        o.WriteLine("OK");
        return ExitCodes.Success;
    }

    /// <summary>Returns the order options of the run <paramref name="run"/> belongs to, for the global order (one rank, nothing dropped).</summary>
    internal static ShardLoaderOptions PlanOptions(LoaderState run) => new()
    {
        Order = run.Order,
        Seed = run.Seed,
        BatchSize = run.BatchSize,
        WindowChunks = run.WindowChunks,
        LogicalPartitions = run.LogicalPartitions,
        WindowPieceSamples = run.WindowPieceSamples,
    };

    /// <summary>Returns the sum of <see cref="LoaderLedger.Hash"/> over the keys of positions [<paramref name="from"/>, <paramref name="to"/>) of a plan, walked batch by batch.</summary>
    internal static ulong SumKeys<T>(IEnumerable<T[]> plan, long from, long to, Func<T, long> key)
    {
        ulong sum = 0;
        long position = 0;
        foreach (T[] batch in plan)
        {
            for (int i = 0; i < batch.Length && position < to; i++, position++)
            {
                if (position >= from)
                {
                    sum = unchecked(sum + LoaderLedger.Hash(key(batch[i])));
                }
            }

            if (position >= to)
            {
                break;
            }
        }

        return sum;
    }
}
