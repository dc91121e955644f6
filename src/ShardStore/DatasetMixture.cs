using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using ShardStore.Internals.Ordering;

namespace ShardStore;

/// <summary>
/// Several datasets (streams) read by one loader (<see cref="ShardLoader.Create(DatasetMixture, ShardLoaderOptions?)"/>):
/// each epoch takes a fixed number of samples of every stream and interleaves them, in an order that is a pure
/// function of the mixture, the datasets' layouts and the order options, so it is the same for any world size and a
/// run resumes exactly (docs/ARCHITECTURE.md, "Mixtures", defines it).
/// </summary>
/// <remarks>
/// Per-epoch counts: a stream made with <see cref="MixtureStream.Sampled(ShardDataset, long)"/> takes its count and one made with
/// <see cref="MixtureStream.Repeated(ShardDataset, double)"/> floor(repeat x samples); weighted streams share <see cref="EpochSamples"/>
/// (by default the sum of their datasets' samples) by the largest-remainder rule over the exact binary values of
/// their weights, the remainders' ties going to the earlier stream. With <see cref="MixtureGranularity.Batch"/> the
/// unit is a batch instead of a sample: the epoch's batches are shared, and the other counts are rounded down to
/// whole batches.
/// </remarks>
public sealed class DatasetMixture
{
    /// <summary>The most streams a mixture may have.</summary>
    public const int MaxStreams = 256;

    // Enough to name the stream whose dataset changed; the mixture's Fingerprint covers each dataset's whole fingerprint.
    private const int ShortFingerprintDigits = 8;

    private readonly MixtureStream[] _streams;

    private DatasetMixture(MixtureStream[] streams, long? epochSamples, MixtureGranularity granularity)
    {
        _streams = streams;
        EpochSamples = epochSamples;
        Granularity = granularity;
        Schema = streams[0].Dataset.Schema;
        var text = new StringBuilder("shardstore-mixture-1;").Append(Descriptor);
        foreach (MixtureStream s in streams)
        {
            text.Append(';').Append(s.Dataset.Fingerprint);
        }

        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())), 0, 16);
    }

    /// <summary>Gets the streams, in the order that numbers them.</summary>
    public IReadOnlyList<MixtureStream> Streams => _streams;

    /// <summary>Gets the samples per epoch that weighted streams share, or null for the sum of their datasets' samples.</summary>
    public long? EpochSamples { get; }

    /// <summary>Gets how the streams are interleaved.</summary>
    public MixtureGranularity Granularity { get; }

    /// <summary>Gets the fields every stream's samples have.</summary>
    public Schema Schema { get; }

    /// <summary>Gets a hex digest of the streams' dataset fingerprints and the mixture's parameters: what a loader state records as its dataset.</summary>
    public string Fingerprint { get; }

    /// <summary>
    /// Gets the mixture's parameters and each stream's short dataset fingerprint, as a loader state records them
    /// (<see cref="LoaderState.Mixture"/>): <c>g=sample|batch;e=</c>epoch samples or <c>-</c>, then per stream
    /// <c>;</c> the first 8 hex digits of its fingerprint (the mixture's <see cref="Fingerprint"/> covers the whole ones), <c>:</c> and its parameter (<see cref="MixtureStream.ToString"/>).
    /// </summary>
    public string Descriptor => BuildDescriptor(withFingerprints: true);

    /// <summary>Creates a mixture.</summary>
    /// <param name="streams">The streams (1 to <see cref="MaxStreams"/>); either all weighted or none.</param>
    /// <param name="epochSamples">The samples per epoch weighted streams share; null for the sum of their datasets' samples.</param>
    /// <param name="granularity">Whether to interleave samples or whole batches.</param>
    /// <returns>The mixture.</returns>
    /// <exception cref="ArgumentException">
    /// There are no streams or too many; weighted streams are mixed with counted ones; <paramref name="epochSamples"/> is
    /// set without weights or is negative; or a stream's schema differs from the first's (the message names the stream and field).
    /// </exception>
    public static DatasetMixture Create(IEnumerable<MixtureStream> streams, long? epochSamples = null, MixtureGranularity granularity = MixtureGranularity.Sample)
    {
        ArgumentNullException.ThrowIfNull(streams);
        MixtureStream[] list = [.. streams];
        if (list.Length == 0 || list.Length > MaxStreams)
        {
            throw new ArgumentException($"A mixture has 1 to {MaxStreams} streams, not {list.Length}.", nameof(streams));
        }

        if (!Enum.IsDefined(granularity))
        {
            throw new ArgumentException($"Unknown mixture granularity {granularity}.", nameof(granularity));
        }

        int weighted = 0;
        for (int s = 0; s < list.Length; s++)
        {
            ArgumentNullException.ThrowIfNull(list[s], nameof(streams));
            weighted += list[s].Weight is null ? 0 : 1;
            if (SchemaProblem(list[0].Dataset.Schema, list[s].Dataset.Schema) is { } problem)
            {
                throw new ArgumentException(
                    $"Stream {s} ('{list[s].Dataset.Directory}') does not have the schema of stream 0 ('{list[0].Dataset.Directory}'): {problem}; every stream of a mixture needs the same fields.",
                    nameof(streams));
            }
        }

        if (weighted != 0 && weighted != list.Length)
        {
            throw new ArgumentException("A mixture's streams are either all weighted (MixtureStream.Weighted) or all counted (Sampled, Repeated); this one mixes both.", nameof(streams));
        }

        if (epochSamples is { } e && (weighted == 0 || e < 0))
        {
            throw new ArgumentException(e < 0 ? $"epochSamples is {e}; it must be 0 or more." : "epochSamples is shared by weighted streams, and this mixture has none.", nameof(epochSamples));
        }

        return new DatasetMixture(list, epochSamples, granularity);
    }

    /// <summary>Returns how many samples each stream contributes to every epoch of a loader with this batch size.</summary>
    /// <param name="batchSize">The loader's batch size (the unit of <see cref="MixtureGranularity.Batch"/>).</param>
    /// <returns>One count per stream.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is less than 1.</exception>
    public long[] GetSamplesPerEpoch(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        long unit = Granularity == MixtureGranularity.Batch ? batchSize : 1;
        long[] counts = new long[_streams.Length];
        if (_streams[0].Weight is not null)
        {
            long total = EpochSamples ?? _streams.Sum(s => s.SourceSamples);
            long[] units = LargestRemainder(total / unit, [.. _streams.Select(s => s.Weight!.Value)]);
            for (int s = 0; s < counts.Length; s++)
            {
                counts[s] = units[s] * unit;
            }

            return counts;
        }

        for (int s = 0; s < counts.Length; s++)
        {
            MixtureStream stream = _streams[s];
            long samples = stream.SamplesPerEpoch ?? FloorProduct(stream.SourceSamples, stream.Repeat!.Value);
            counts[s] = samples / unit * unit;
        }

        return counts;
    }

    /// <summary>Returns the descriptor without fingerprints (the parameters only), for messages.</summary>
    internal string BuildDescriptor(bool withFingerprints)
    {
        var text = new StringBuilder();
        text.Append("g=").Append(Granularity == MixtureGranularity.Batch ? "batch" : "sample");
        text.Append(";e=").Append(EpochSamples is { } e ? e.ToString(CultureInfo.InvariantCulture) : "-");
        foreach (MixtureStream s in _streams)
        {
            text.Append(';');
            if (withFingerprints)
            {
                text.Append(s.Dataset.Fingerprint.AsSpan(0, Math.Min(ShortFingerprintDigits, s.Dataset.Fingerprint.Length))).Append(':');
            }

            text.Append(s);
        }

        return text.ToString();
    }

    /// <summary>
    /// Shares <paramref name="total"/> units by the weights' exact binary values: each gets floor(total x w / W), and the
    /// units left go one each to the largest remainders (ties to the lower index).
    /// </summary>
    internal static long[] LargestRemainder(long total, double[] weights)
    {
        // A double is m x 2^e exactly; scaling every weight by 2^-min(e) makes them integers with the same ratios.
        var mantissas = new BigInteger[weights.Length];
        int[] exponents = new int[weights.Length];
        for (int i = 0; i < weights.Length; i++)
        {
            (mantissas[i], exponents[i]) = Decompose(weights[i]);
        }

        int least = exponents.Min();
        BigInteger[] scaled = [.. mantissas.Select((m, i) => m << (exponents[i] - least))];
        BigInteger sum = scaled.Aggregate(BigInteger.Zero, (a, b) => a + b);
        long[] counts = new long[weights.Length];
        var remainders = new BigInteger[weights.Length];
        long given = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            BigInteger quotient = BigInteger.DivRem(total * scaled[i], sum, out remainders[i]);
            counts[i] = (long)quotient;
            given += counts[i];
        }

        int[] byRemainder = [.. Enumerable.Range(0, weights.Length).OrderByDescending(i => remainders[i]).ThenBy(i => i)];
        for (long k = 0; k < total - given; k++)
        {
            counts[byRemainder[k]]++;
        }

        return counts;
    }

    /// <summary>Returns floor(<paramref name="count"/> x <paramref name="factor"/>), computed exactly on the factor's binary value.</summary>
    internal static long FloorProduct(long count, double factor)
    {
        (BigInteger m, int e) = Decompose(factor);
        BigInteger product = count * m;
        return (long)(e >= 0 ? product << e : product >> -e);
    }

    // A finite, non-negative double as mantissa x 2^exponent.
    private static (BigInteger Mantissa, int Exponent) Decompose(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        int biased = (int)((bits >> 52) & 0x7FF);
        long fraction = bits & 0xFFFFFFFFFFFFFL;
        return biased == 0 ? (fraction, -1074) : (fraction | (1L << 52), biased - 1075);
    }

    // The first difference between two schemas, or null.
    private static string? SchemaProblem(Schema expected, Schema actual)
    {
        for (int f = 0; f < expected.Count; f++)
        {
            FieldSpec want = expected[f];
            int at = actual.IndexOf(want.Name);
            if (at < 0)
            {
                return $"it has no field '{want.Name}'";
            }

            if (!actual[at].Equals(want) || at != f)
            {
                return at != f && actual[at].Equals(want)
                    ? $"its field '{want.Name}' is at position {at}, not {f}"
                    : $"its field '{want.Name}' is {actual[at]}, not {want}";
            }
        }

        return actual.Count > expected.Count ? $"it has the extra field '{actual[expected.Count].Name}'" : null;
    }
}
