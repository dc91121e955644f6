using System.Globalization;
using System.Numerics;
using ShardStore.Internals.Ordering;

namespace ShardStore;

/// <summary>
/// A deterministic subset of a dataset's samples (a train, validation or test split), read like a dataset: by a loader
/// (<see cref="ShardLoader.Create(DatasetSplit, ShardLoaderOptions?)"/>, <see cref="ShardLoader.CreateValidation"/>) or
/// as a stream of a <see cref="DatasetMixture"/>. Its samples are numbered 0 to <see cref="SampleCount"/> - 1 in
/// dataset order.
/// </summary>
/// <remarks>
/// <see cref="SplitMethod.Range"/> takes consecutive indices. <see cref="SplitMethod.Hash"/> takes index i when
/// h(i) = Mix(key, i) &gt;&gt; 11 (53 bits; Mix as docs/ARCHITECTURE.md defines it) satisfies from x 2^53 &lt;= h(i) &lt; to x 2^53,
/// so splits whose [from, to) ranges tile [0, 1) are disjoint and cover the dataset; it keeps one bit per sample of the
/// dataset in memory and computes them when created. <see cref="Partition"/> makes such a tiling set.
/// </remarks>
public sealed class DatasetSplit
{
    private const double Scale = 9007199254740992.0; // 2^53

    // Hash splits: bit i set when sample i belongs; with the members before each 64-sample word.
    private readonly ulong[]? _bits;
    private readonly long[]? _rankBefore;

    private DatasetSplit(ShardDataset dataset, string name, SplitMethod method, long start, long count, ulong key, double from, double to, ulong[]? bits, long[]? rankBefore)
    {
        Dataset = dataset;
        Name = name;
        Method = method;
        Start = start;
        SampleCount = count;
        Key = key;
        From = from;
        To = to;
        _bits = bits;
        _rankBefore = rankBefore;
    }

    /// <summary>Gets the dataset the split selects from.</summary>
    public ShardDataset Dataset { get; }

    /// <summary>Gets the split's name (train, validation, test...).</summary>
    public string Name { get; }

    /// <summary>Gets how the split chooses its samples.</summary>
    public SplitMethod Method { get; }

    /// <summary>Gets the number of samples in the split.</summary>
    public long SampleCount { get; }

    /// <summary>Gets the first dataset index of a <see cref="SplitMethod.Range"/> split (0 for a hash split).</summary>
    public long Start { get; }

    /// <summary>Gets the hash key of a <see cref="SplitMethod.Hash"/> split.</summary>
    public ulong Key { get; }

    /// <summary>Gets the lower end of a <see cref="SplitMethod.Hash"/> split's hash range.</summary>
    public double From { get; }

    /// <summary>Gets the upper end (exclusive) of a <see cref="SplitMethod.Hash"/> split's hash range.</summary>
    public double To { get; }

    /// <summary>Gets the split's definition as text: <c>range:START+COUNT</c> or <c>hash:KEY:FROM-TO</c>.</summary>
    public string Definition => Method == SplitMethod.Range
        ? string.Create(CultureInfo.InvariantCulture, $"range:{Start}+{SampleCount}")
        : string.Create(CultureInfo.InvariantCulture, $"hash:{Key}:{From:R}-{To:R}");

    /// <summary>Creates the split of dataset indices [<paramref name="start"/>, start + <paramref name="count"/>).</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="name">The split's name.</param>
    /// <param name="start">The first index.</param>
    /// <param name="count">The number of samples.</param>
    /// <returns>The split.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie inside the dataset.</exception>
    public static DatasetSplit ByRange(ShardDataset dataset, string name, long start, long count)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, dataset.SampleCount - start);
        return new DatasetSplit(dataset, name, SplitMethod.Range, start, count, 0, 0, 0, null, null);
    }

    /// <summary>Creates the split of the samples whose keyed hash falls in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="name">The split's name.</param>
    /// <param name="key">The hash key; the same key and ranges give the same splits.</param>
    /// <param name="from">The lower end, in [0, 1].</param>
    /// <param name="to">The upper end (exclusive), in [from, 1].</param>
    /// <returns>The split.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie in [0, 1].</exception>
    public static DatasetSplit ByHash(ShardDataset dataset, string name, ulong key, double from, double to)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!(from >= 0 && from <= to && to <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(from), $"A hash split's range [{from}, {to}) must lie in [0, 1].");
        }

        long n = dataset.SampleCount;
        ulong[] bits = new ulong[(n + 63) / 64];
        long[] rankBefore = new long[bits.Length + 1];
        double lo = from * Scale;
        double hi = to * Scale;
        for (long i = 0; i < n; i++)
        {
            double h = OrderHash.Mix(key, (ulong)i) >> 11;
            if (lo <= h && h < hi)
            {
                bits[i >> 6] |= 1UL << (int)(i & 63);
            }
        }

        for (int w = 0; w < bits.Length; w++)
        {
            rankBefore[w + 1] = rankBefore[w] + BitOperations.PopCount(bits[w]);
        }

        return new DatasetSplit(dataset, name, SplitMethod.Hash, 0, rankBefore[^1], key, from, to, bits, rankBefore);
    }

    /// <summary>
    /// Splits a dataset into named parts with the given shares: disjoint, and together every sample. By range, the parts
    /// are consecutive in the order given, with counts shared by the largest-remainder rule over the shares' exact binary
    /// values; by hash, part k takes the hash range [S_k / S, S_(k+1) / S) with S_k the shares before it summed left to right
    /// in binary64 (the last ends at 1).
    /// </summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="method">Range or hash.</param>
    /// <param name="names">The parts' names.</param>
    /// <param name="shares">The parts' positive, finite shares (as many as names).</param>
    /// <param name="key">The hash key (hash splits only).</param>
    /// <returns>The splits, in the order of <paramref name="names"/>.</returns>
    /// <exception cref="ArgumentException">The names and shares differ in number, a name repeats, or a share is not positive and finite.</exception>
    public static IReadOnlyList<DatasetSplit> Partition(ShardDataset dataset, SplitMethod method, IReadOnlyList<string> names, IReadOnlyList<double> shares, ulong key = 0)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(shares);
        if (names.Count == 0 || names.Count != shares.Count || names.Distinct().Count() != names.Count || shares.Any(s => !double.IsFinite(s) || s <= 0))
        {
            throw new ArgumentException("A partition needs as many distinct names as shares, and every share positive and finite.", nameof(shares));
        }

        var splits = new DatasetSplit[names.Count];
        if (method == SplitMethod.Range)
        {
            long[] counts = DatasetMixture.LargestRemainder(dataset.SampleCount, [.. shares]);
            long start = 0;
            for (int k = 0; k < splits.Length; k++)
            {
                splits[k] = ByRange(dataset, names[k], start, counts[k]);
                start += counts[k];
            }

            return splits;
        }

        double total = 0;
        foreach (double s in shares)
        {
            total += s;
        }

        double before = 0;
        for (int k = 0; k < splits.Length; k++)
        {
            double from = before / total;
            before += shares[k];
            double to = k == splits.Length - 1 ? 1.0 : before / total;
            splits[k] = ByHash(dataset, names[k], key, from, Math.Max(from, to));
        }

        return splits;
    }

    /// <summary>Returns whether dataset sample <paramref name="datasetIndex"/> belongs to the split.</summary>
    /// <param name="datasetIndex">A dataset index.</param>
    /// <returns>Whether it belongs.</returns>
    public bool Contains(long datasetIndex) =>
        datasetIndex >= 0 && datasetIndex < Dataset.SampleCount && (_bits is null
            ? datasetIndex >= Start && datasetIndex < Start + SampleCount
            : (_bits[datasetIndex >> 6] & (1UL << (int)(datasetIndex & 63))) != 0);

    /// <summary>Returns the dataset index of the split's sample <paramref name="splitIndex"/>.</summary>
    /// <param name="splitIndex">An index from 0 to <see cref="SampleCount"/> - 1.</param>
    /// <returns>The dataset index.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="splitIndex"/> is out of range.</exception>
    public long GetDatasetIndex(long splitIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(splitIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(splitIndex, SampleCount);
        if (_bits is null)
        {
            return Start + splitIndex;
        }

        // The last word with at most splitIndex members before it holds the sample.
        int lo = 0;
        int hi = _bits.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (_rankBefore![mid] <= splitIndex)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        int w = lo;
        return ((long)w << 6) + SelectInWord(_bits[w], (int)(splitIndex - _rankBefore![w]));
    }

    /// <summary>Returns the split index of dataset sample <paramref name="datasetIndex"/>.</summary>
    /// <param name="datasetIndex">A dataset index that belongs to the split.</param>
    /// <returns>Its index in the split.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The sample does not belong to the split.</exception>
    public long GetSplitIndex(long datasetIndex)
    {
        if (!Contains(datasetIndex))
        {
            throw new ArgumentOutOfRangeException(nameof(datasetIndex), datasetIndex, $"Sample {datasetIndex} is not in split '{Name}'.");
        }

        return CountBefore(datasetIndex);
    }

    /// <summary>Returns how many of the split's samples lie before dataset index <paramref name="datasetIndex"/>.</summary>
    internal long CountBefore(long datasetIndex)
    {
        if (_bits is null)
        {
            return Math.Clamp(datasetIndex - Start, 0, SampleCount);
        }

        long w = datasetIndex >> 6;
        int bit = (int)(datasetIndex & 63);
        return _rankBefore![w] + (bit == 0 ? 0 : BitOperations.PopCount(_bits[w] & ((1UL << bit) - 1)));
    }

    private static int SelectInWord(ulong word, int k)
    {
        for (int i = 0; i < k; i++)
        {
            word &= word - 1;
        }

        return BitOperations.TrailingZeroCount(word);
    }
}
