using ShardStore.Internals.Ordering;

namespace ShardPack.Importers.Internals;

/// <summary>
/// <c>--shuffle-seed</c> for importers whose records can be read at any position: the k-th sample packed is input
/// record <see cref="RecordAt"/>(k), a keyed bijection computed per index, so the shuffle itself needs no memory per
/// record. npy and raw find a record's position from its number; csv, ctf, tfrecord and the files manifest first
/// index where each record lies (<see cref="RecordIndex"/>). The same seed and record count give the same order in
/// every importer.
/// </summary>
internal sealed class RecordShuffle(long records, ulong seed)
{
    // Separates the pack-time shuffle's keys from the loader's orders, which derive theirs from the same kind of seed.
    private const ulong PackTag = 0x5041434B53485546;

    private readonly IndexPermutation _permutation = new(records, OrderHash.Mix(seed, PackTag));

    /// <summary>Returns the shuffle of <paramref name="arguments"/>'s records, or null when <c>--shuffle-seed</c> was not given.</summary>
    public static RecordShuffle? For(PackArguments arguments, long records) =>
        arguments.ShuffleRecords ? new RecordShuffle(records, arguments.ShuffleSeed) : null;

    /// <summary>Returns the input record packed as sample <paramref name="k"/>.</summary>
    public long RecordAt(long k) => _permutation.Apply(k);
}
