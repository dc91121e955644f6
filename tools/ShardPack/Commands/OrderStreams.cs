using System.Globalization;

namespace ShardPack.Commands;

/// <summary>
/// The mixture that <c>order --mix</c> names (or the one-stream mixture of <c>order DATASET --split NAME</c>, which is
/// what a split loader reads), with its datasets open: each directory once, however many streams read it.
/// </summary>
internal sealed class OrderStreams : IDisposable
{
    private readonly DatasetSplit?[] _splits;
    private readonly List<ShardDataset> _datasets;

    private OrderStreams(DatasetMixture mixture, DatasetSplit?[] splits, bool isSplit, List<ShardDataset> datasets)
    {
        Mixture = mixture;
        _splits = splits;
        IsSplit = isSplit;
        _datasets = datasets;
    }

    /// <summary>Gets the mixture.</summary>
    public DatasetMixture Mixture { get; }

    /// <summary>Gets whether this is one split named by <c>--split</c> (printed as dataset indices) rather than <c>--mix</c> streams.</summary>
    public bool IsSplit { get; }

    /// <summary>
    /// Opens the streams of <c>--mix</c> values: <c>DIR=WEIGHT</c> reads the whole dataset, <c>DIR@SPLIT=WEIGHT</c> its
    /// split SPLIT (<paramref name="splits"/>). The weight follows the last '=', the split the last '@' before it; an
    /// empty SPLIT (<c>DIR@=WEIGHT</c>) reads the whole dataset, for a DIR whose name holds '@'.
    /// </summary>
    /// <exception cref="UsageException">A value is malformed, names no split, or the mixture's parameters are wrong.</exception>
    /// <exception cref="InvalidDataException">A stream's schema differs from the first's (the message names the stream).</exception>
    public static OrderStreams OpenMixture(IReadOnlyList<string> values, SplitDefinition splits, long? epochSamples, MixtureGranularity granularity, ShardDatasetOptions read)
    {
        var datasets = new List<ShardDataset>();
        try
        {
            var open = new Dictionary<string, ShardDataset>(StringComparer.Ordinal);
            var partitions = new Dictionary<(string, int), DatasetSplit>();
            var streams = new List<MixtureStream>();
            var streamSplits = new List<DatasetSplit?>();
            foreach (string value in values)
            {
                (string dir, string? name, double weight, int eq) = ParseStream(value);
                int? index = null;
                if (name is not null)
                {
                    if (!splits.Names.Contains(name))
                    {
                        throw new UsageException(
                            $"--mix '{value}': '{name}' is not one of the splits {string.Join(", ", splits.Names)} (--splits). "
                            + $"A directory whose name holds '@' ends with '@' to read all of it: --mix '{value[..eq]}@{value[eq..]}'.");
                    }

                    index = splits.IndexOf(name, $"--mix '{value}'");
                }

                if (!open.TryGetValue(dir, out ShardDataset? dataset))
                {
                    dataset = ShardDataset.Open(dir, read);
                    datasets.Add(dataset);
                    open[dir] = dataset;
                }

                DatasetSplit? split = null;
                if (index is { } i && !partitions.TryGetValue((dir, i), out split))
                {
                    split = splits.Apply(dataset, i);
                    partitions[(dir, i)] = split;
                }

                streams.Add(split is null ? MixtureStream.Weighted(dataset, weight) : MixtureStream.Weighted(split, weight));
                streamSplits.Add(split);
            }

            DatasetMixture mixture;
            try
            {
                mixture = DatasetMixture.Create(streams, epochSamples, granularity);
            }
            catch (ArgumentException e) when (e.Message.StartsWith("Stream ", StringComparison.Ordinal))
            {
                throw new InvalidDataException(e.Message, e);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }

            return new OrderStreams(mixture, [.. streamSplits], isSplit: false, datasets);
        }
        catch
        {
            foreach (ShardDataset d in datasets)
            {
                d.Dispose();
            }

            throw;
        }
    }

    /// <summary>Returns the one-stream mixture a split loader reads: every sample of split <paramref name="name"/> of <paramref name="dataset"/> once an epoch.</summary>
    /// <param name="dataset">The dataset; disposed with the streams (and on failure).</param>
    /// <param name="name">The split's name.</param>
    /// <param name="splits">The splits.</param>
    /// <exception cref="UsageException">No split has that name, or the definition is wrong.</exception>
    public static OrderStreams OpenSplit(ShardDataset dataset, string name, SplitDefinition splits)
    {
        try
        {
            DatasetSplit split = splits.Apply(dataset, splits.IndexOf(name, $"--split '{name}'"));
            return new OrderStreams(DatasetMixture.Create([MixtureStream.Sampled(split, split.SampleCount)]), [split], isSplit: true, [dataset]);
        }
        catch
        {
            dataset.Dispose();
            throw;
        }
    }

    /// <summary>Returns the key a loader's ledger hashes for a sample of the plan: <see cref="LoaderLedger.Key"/> of its stream and its index in the stream's dataset.</summary>
    public long LedgerKey(SampleSource source) => LoaderLedger.Key(source.Stream, _splits[source.Stream]?.GetDatasetIndex(source.Index) ?? source.Index);

    /// <summary>Formats a sample of the plan: <c>stream:index</c> (index in the stream's dataset, or split), or for <c>--split</c> the dataset index.</summary>
    public string Format(SampleSource source) => IsSplit
        ? _splits[0]!.GetDatasetIndex(source.Index).ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{source.Stream}:{source.Index}");

    /// <summary>Closes the datasets.</summary>
    public void Dispose()
    {
        foreach (ShardDataset d in _datasets)
        {
            d.Dispose();
        }
    }

    // DIR=WEIGHT or DIR@SPLIT=WEIGHT: the weight after the last '=' (at Eq), the split after the last '@' before it (none when empty).
    private static (string Dir, string? Split, double Weight, int Eq) ParseStream(string value)
    {
        int eq = value.LastIndexOf('=');
        if (eq <= 0 || !double.TryParse(value.AsSpan(eq + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double weight) || !double.IsFinite(weight) || weight <= 0)
        {
            throw new UsageException($"--mix '{value}': use DIR=WEIGHT or DIR@SPLIT=WEIGHT with a positive weight, e.g. --mix data/web=0.7 or --mix data/web@train=0.7.");
        }

        string target = value[..eq];
        int at = target.LastIndexOf('@');
        if (at < 0)
        {
            return (target, null, weight, eq);
        }

        if (at == 0)
        {
            throw new UsageException($"--mix '{value}': the dataset directory is missing before '@'; use DIR@SPLIT=WEIGHT.");
        }

        string split = target[(at + 1)..];
        return (target[..at], split.Length == 0 ? null : split, weight, eq);
    }
}
