using System.Globalization;

namespace ShardStore;

/// <summary>
/// One dataset of a <see cref="DatasetMixture"/> and how many of its samples each epoch takes: a share of the epoch
/// (<see cref="Weighted(ShardDataset, double)"/>), a fixed count (<see cref="Sampled(ShardDataset, long)"/>), or a multiple of the dataset (<see cref="Repeated(ShardDataset, double)"/>).
/// </summary>
/// <remarks>
/// A stream that takes fewer samples per epoch than its dataset holds continues through its data in the next epoch,
/// so every sample is seen once over enough epochs; one that takes more goes through its data more than once an epoch.
/// </remarks>
public sealed class MixtureStream
{
    private MixtureStream(ShardDataset dataset, double? weight, long? samples, double? repeat, DatasetSplit? split = null)
    {
        Dataset = dataset;
        Split = split;
        Weight = weight;
        SamplesPerEpoch = samples;
        Repeat = repeat;
    }

    /// <summary>Gets the dataset the stream reads.</summary>
    public ShardDataset Dataset { get; }

    /// <summary>Gets the split of <see cref="Dataset"/> the stream reads, or null for the whole dataset.</summary>
    public DatasetSplit? Split { get; }

    /// <summary>Gets the stream's weight (its share of the epoch is weight / sum of weights), or null.</summary>
    public double? Weight { get; }

    /// <summary>Gets the stream's fixed number of samples per epoch, or null.</summary>
    public long? SamplesPerEpoch { get; }

    /// <summary>Gets how many times over the stream's dataset each epoch takes (1.5: the dataset and half of it again), or null.</summary>
    public double? Repeat { get; }

    /// <summary>Creates a stream whose share of the epoch is its weight over the sum of the mixture's weights.</summary>
    /// <param name="dataset">The dataset; it must outlive every loader over the mixture.</param>
    /// <param name="weight">A positive, finite weight.</param>
    /// <returns>The stream.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="weight"/> is not positive and finite.</exception>
    public static MixtureStream Weighted(ShardDataset dataset, double weight)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (!double.IsFinite(weight) || weight <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "A stream's weight must be positive and finite.");
        }

        return new MixtureStream(dataset, weight, null, null);
    }

    /// <summary>Creates a stream that takes exactly <paramref name="samplesPerEpoch"/> samples each epoch (fewer than the dataset: down-sampling; more: up-sampling).</summary>
    /// <param name="dataset">The dataset; it must outlive every loader over the mixture.</param>
    /// <param name="samplesPerEpoch">Samples per epoch, 0 or more.</param>
    /// <returns>The stream.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samplesPerEpoch"/> is negative.</exception>
    public static MixtureStream Sampled(ShardDataset dataset, long samplesPerEpoch)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfNegative(samplesPerEpoch);
        return new MixtureStream(dataset, null, samplesPerEpoch, null);
    }

    /// <summary>Creates a stream that takes floor(<paramref name="repeat"/> x its sample count) samples each epoch.</summary>
    /// <remarks>
    /// The product is exact on the factor's binary value, which for a decimal such as 2.4 is slightly less than the
    /// decimal (75 x 2.4 gives 179); use <see cref="Sampled(ShardDataset, long)"/> for an exact count.
    /// </remarks>
    /// <param name="dataset">The dataset; it must outlive every loader over the mixture.</param>
    /// <param name="repeat">A non-negative, finite factor (0.5: half the dataset per epoch; 2: all of it twice).</param>
    /// <returns>The stream.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="repeat"/> is negative or not finite, or the count overflows.</exception>
    public static MixtureStream Repeated(ShardDataset dataset, double repeat)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (!double.IsFinite(repeat) || repeat < 0 || repeat * dataset.SampleCount >= long.MaxValue / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(repeat), repeat, "A stream's repeat factor must be non-negative and finite, and its count must fit in 62 bits.");
        }

        return new MixtureStream(dataset, null, null, repeat);
    }

    /// <summary>Gets the number of samples the stream reads from: the split's, or the dataset's.</summary>
    internal long SourceSamples => Split?.SampleCount ?? Dataset.SampleCount;

    /// <summary>Creates a weighted stream over a split (see <see cref="Weighted(ShardDataset, double)"/>).</summary>
    /// <param name="split">The split; its dataset must outlive every loader over the mixture.</param>
    /// <param name="weight">A positive, finite weight.</param>
    /// <returns>The stream.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="weight"/> is not positive and finite.</exception>
    public static MixtureStream Weighted(DatasetSplit split, double weight)
    {
        ArgumentNullException.ThrowIfNull(split);
        return new MixtureStream(split.Dataset, Weighted(split.Dataset, weight).Weight, null, null, split);
    }

    /// <summary>Creates a stream over a split that takes exactly <paramref name="samplesPerEpoch"/> of its samples each epoch.</summary>
    /// <param name="split">The split; its dataset must outlive every loader over the mixture.</param>
    /// <param name="samplesPerEpoch">Samples per epoch, 0 or more.</param>
    /// <returns>The stream.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samplesPerEpoch"/> is negative.</exception>
    public static MixtureStream Sampled(DatasetSplit split, long samplesPerEpoch)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentOutOfRangeException.ThrowIfNegative(samplesPerEpoch);
        return new MixtureStream(split.Dataset, null, samplesPerEpoch, null, split);
    }

    /// <summary>Creates a stream over a split that takes floor(<paramref name="repeat"/> x the split's samples) each epoch.</summary>
    /// <param name="split">The split; its dataset must outlive every loader over the mixture.</param>
    /// <param name="repeat">A non-negative, finite factor.</param>
    /// <returns>The stream.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="repeat"/> is negative or not finite, or the count overflows.</exception>
    public static MixtureStream Repeated(DatasetSplit split, double repeat)
    {
        ArgumentNullException.ThrowIfNull(split);
        if (!double.IsFinite(repeat) || repeat < 0 || repeat * split.SampleCount >= long.MaxValue / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(repeat), repeat, "A stream's repeat factor must be non-negative and finite, and its count must fit in 62 bits.");
        }

        return new MixtureStream(split.Dataset, null, null, repeat, split);
    }

    /// <summary>
    /// Returns the stream's parameter as a loader state records it: <c>w=</c>weight, <c>n=</c>count or <c>r=</c>repeat,
    /// followed for a split by <c>@</c> and 6 hex digits of the SHA-256 of its <see cref="DatasetSplit.Definition"/>.
    /// </summary>
    /// <returns>The text.</returns>
    public override string ToString() => Parameter + (Split is null ? string.Empty
        : "@" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Split.Definition)), 0, 3));

    private string Parameter =>
        Weight is { } w ? "w=" + w.ToString("R", CultureInfo.InvariantCulture)
        : SamplesPerEpoch is { } n ? "n=" + n.ToString(CultureInfo.InvariantCulture)
        : "r=" + Repeat!.Value.ToString("R", CultureInfo.InvariantCulture);
}
