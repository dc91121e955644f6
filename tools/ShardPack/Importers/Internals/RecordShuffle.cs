using ShardStore.Internals.Ordering;

namespace ShardPack.Importers.Internals;

/// <summary>
/// <c>--shuffle-seed</c> for importers of fixed-size records that can be read at any position: the k-th sample packed is
/// input record <see cref="RecordAt"/>(k), a keyed bijection computed per index, so the shuffle needs no memory per
/// record; importers that can only read records in order refuse the option (<see cref="Refuse"/>).
/// </summary>
internal sealed class RecordShuffle(long records, ulong seed)
{
    // Separates the pack-time shuffle's keys from the loader's orders, which derive theirs from the same kind of seed.
    private const ulong PackTag = 0x5041434B53485546;

    private readonly IndexPermutation _permutation = new(records, OrderHash.Mix(seed, PackTag));

    /// <summary>Returns the shuffle of <paramref name="arguments"/>'s records, or null when <c>--shuffle-seed</c> was not given.</summary>
    public static RecordShuffle? For(PackArguments arguments, long records) =>
        arguments.ShuffleRecords ? new RecordShuffle(records, arguments.ShuffleSeed) : null;

    /// <summary>Throws the usage error of an importer that cannot shuffle in bounded memory, when <c>--shuffle-seed</c> was given.</summary>
    /// <exception cref="UsageException"><c>--shuffle-seed</c> was given.</exception>
    public static void Refuse(PackArguments arguments, string why)
    {
        if (arguments.ShuffleRecords)
        {
            throw new UsageException($"--shuffle-seed applies to --from npy, raw and imagefolder, not --from {arguments.From}: {why}; shuffle the input beforehand to pack it shuffled.");
        }
    }

    /// <summary>Returns the input record packed as sample <paramref name="k"/>.</summary>
    public long RecordAt(long k) => _permutation.Apply(k);
}
