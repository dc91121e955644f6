using ShardStore.Internals.Ordering;

namespace ShardStore.Internals.Loading;

/// <summary>
/// A loader's running ledger (<see cref="ShardLoaderOptions.Ledger"/>): the samples this rank delivered of the current
/// epoch, and the ledger of the epoch finished last. Called by the consumer's thread under the loader's state lock.
/// Over one dataset a sample's key is its global index; over a mixture (a split is a mixture of one stream)
/// <see cref="LoaderLedger.Key"/> of its stream and its index in the stream's dataset.
/// </summary>
internal sealed class ConsumptionLedger
{
    private readonly RankSchedule _schedule;
    private readonly EpochLayouts? _layouts;
    private readonly MixtureLayout? _mixture;
    private readonly int _rank;
    private readonly int _world;

    private ConsumptionLedger(RankSchedule schedule, EpochLayouts? layouts, MixtureLayout? mixture, int rank, int world, LoaderLedger current, LoaderLedger? previous)
    {
        _schedule = schedule;
        _layouts = layouts;
        _mixture = mixture;
        _rank = rank;
        _world = world;
        Current = current;
        Previous = previous;
    }

    /// <summary>Gets the ledger of the epoch the next batch belongs to, up to where the consumer stands.</summary>
    public LoaderLedger Current { get; private set; }

    /// <summary>Gets the ledger of the epoch finished last, or null before the first epoch ends.</summary>
    public LoaderLedger? Previous { get; private set; }

    /// <summary>
    /// Returns the ledger of a loader with these options, continuing the state's when it has the same rank and world
    /// size; null without <see cref="ShardLoaderOptions.Ledger"/>. One dataset has <paramref name="layouts"/> (its
    /// generations), a mixture <paramref name="mixture"/>.
    /// </summary>
    public static ConsumptionLedger? Create(ShardLoaderOptions options, RankSchedule schedule, EpochLayouts? layouts, MixtureLayout? mixture)
    {
        if (!options.Ledger)
        {
            return null;
        }

        LoaderState? state = options.ResumeFrom;
        int epoch = state?.Epoch ?? 0;
        long position = state?.Position ?? 0;
        bool sameRun(LoaderLedger? l) => l is not null && l.Rank == options.Rank && l.WorldSize == options.WorldSize;
        LoaderLedger current = sameRun(state?.Ledger) && state!.Ledger!.Epoch == epoch && state.Ledger.To == position
            ? state.Ledger
            : new LoaderLedger
            {
                Epoch = epoch,
                Generation = layouts?.GenerationOf(epoch).Number,
                From = position,
                To = position,
                Rank = options.Rank,
                WorldSize = options.WorldSize,
                Count = 0,
                Sum = 0,
            };
        return new ConsumptionLedger(schedule, layouts, mixture, options.Rank, options.WorldSize, current, sameRun(state?.PreviousLedger) ? state!.PreviousLedger : null);
    }

    /// <summary>Adds a batch handed to the consumer.</summary>
    public void Delivered(BatchPlan plan, ReadOnlySpan<long> samples)
    {
        ulong sum = Current.Sum;
        foreach (long sample in samples)
        {
            sum = unchecked(sum + LoaderLedger.Hash(_mixture?.LedgerKey(sample) ?? sample));
        }

        bool ends = plan.NextEpoch != plan.Epoch;
        LoaderLedger updated = Current with
        {
            Count = Current.Count + samples.Length,
            Sum = sum,
            To = ends ? _schedule.EpochEnd(plan.Epoch) : plan.NextPosition,
        };
        if (!ends)
        {
            Current = updated;
            return;
        }

        Previous = updated;
        Current = new LoaderLedger
        {
            Epoch = plan.NextEpoch,
            Generation = _layouts?.GenerationOf(plan.NextEpoch).Number,
            From = 0,
            To = 0,
            Rank = _rank,
            WorldSize = _world,
            Count = 0,
            Sum = 0,
        };
    }
}
