namespace ShardStore;

/// <summary>
/// What one rank's loader delivered of one epoch: the number of samples and an order-independent 64-bit sum of
/// <see cref="Hash"/> over their keys, for the positions <see cref="From"/> to <see cref="To"/> of the epoch's global
/// order. A sample's key is its global index over one dataset or a split (the dataset index), and
/// <see cref="Key"/>(stream, index in the stream's dataset) over a mixture. The ledgers of every rank of one run over
/// the same positions add up to the ledger of those positions of the plan, which is what
/// <c>shardpack order --ledger</c> checks.
/// </summary>
/// <remarks>
/// A loader continues the ledger of the state it resumes from when it has the state's rank and world size; otherwise
/// (another world size, or the state of another rank) it starts a new ledger at the state's position, and a proof
/// then needs the states of every rank from before the change as well (they cover the positions before it).
/// </remarks>
public sealed record LoaderLedger
{
    /// <summary>The bits of a mixture key below the stream: a stream's dataset may have up to 2^56 samples.</summary>
    internal const int StreamShift = 56;

    /// <summary>Gets the epoch.</summary>
    public required int Epoch { get; init; }

    /// <summary>Gets the generation of the dataset the epoch runs on, or null when unknown.</summary>
    public int? Generation { get; init; }

    /// <summary>Gets the first position of the epoch's global order (all ranks together) the ledger covers.</summary>
    public required long From { get; init; }

    /// <summary>Gets the position after the last one the ledger covers: where the state stands, or the end of the epoch's delivered samples.</summary>
    public required long To { get; init; }

    /// <summary>Gets the rank whose deliveries the ledger counts.</summary>
    public required int Rank { get; init; }

    /// <summary>Gets the number of ranks of the run.</summary>
    public required int WorldSize { get; init; }

    /// <summary>Gets the number of samples delivered.</summary>
    public required long Count { get; init; }

    /// <summary>Gets the sum, modulo 2^64, of <see cref="Hash"/> of each delivered sample's key (its global index, or over a mixture <see cref="Key"/>).</summary>
    public required ulong Sum { get; init; }

    /// <summary>
    /// Returns the key a ledger over a mixture hashes for sample <paramref name="index"/> of stream
    /// <paramref name="stream"/>'s dataset: stream x 2^56 + index. Stream 0's keys are its dataset indices, so a loader
    /// over one split (a mixture of one stream) hashes dataset indices, as one over a dataset does.
    /// </summary>
    /// <param name="stream">The stream's place in <see cref="DatasetMixture.Streams"/>, 0 to 255.</param>
    /// <param name="index">The sample's index in the stream's dataset (for a stream over a split, the dataset index, not the split's), 0 to 2^56 - 1.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stream"/> or <paramref name="index"/> is out of range.</exception>
    public static long Key(int stream, long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stream);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(stream, DatasetMixture.MaxStreams);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, 1L << StreamShift);
        return ((long)stream << StreamShift) | index;
    }

    /// <summary>Returns the 64-bit mix of a sample's key that ledgers add up (the SplitMix64 finalizer).</summary>
    /// <param name="sampleIndex">The sample's key: its global index, or over a mixture <see cref="Key"/>.</param>
    /// <returns>The hash.</returns>
    public static ulong Hash(long sampleIndex)
    {
        ulong z = unchecked((ulong)sampleIndex + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
