using System.CommandLine;
using System.Globalization;

namespace ShardPack.Commands;

/// <summary>
/// The mixture and split options of <c>shardpack order</c>: <c>--mix DIR=WEIGHT</c> (repeated) prints
/// <c>stream:index</c> per sample of a mixture's plan, <c>--split NAME</c> the dataset indices of one split's plan.
/// </summary>
internal sealed class OrderMixture
{
    private readonly Option<string[]> _mix = new("--mix")
    {
        HelpName = "DIR=WEIGHT",
        Description = "A stream of a mixture: a dataset directory and its weight (share of each epoch); repeat for each stream. "
            + "Instead of DATASET. Prints stream:index per sample (stream = 0-based place of its --mix, index = sample of that dataset).",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private readonly Option<long?> _epochSamples = new("--epoch-samples")
    {
        HelpName = "N",
        Description = "Samples per epoch the --mix streams share (default: the sum of their datasets' samples).",
    };

    private readonly Option<bool> _mixBatches = new("--mix-batches")
    {
        Description = "Interleave whole batches of the --mix streams instead of single samples (counts in whole batches).",
    };

    private readonly Option<string?> _split = new("--split")
    {
        HelpName = "NAME",
        Description = "Print the plan of split NAME of DATASET (its dataset indices), the splits being defined by --splits, --split-by and --split-key.",
    };

    private readonly Option<string> _splits = new("--splits")
    {
        HelpName = "NAME=SHARE,...",
        Description = "The splits of DATASET and their shares; disjoint, together every sample.",
        DefaultValueFactory = _ => "train=0.8,validation=0.1,test=0.1",
    };

    private readonly Option<string> _splitBy = new("--split-by")
    {
        HelpName = "range|hash",
        Description = "range: consecutive samples, in the order of --splits; hash: samples chosen by a keyed hash of their index.",
        DefaultValueFactory = _ => "range",
    };

    private readonly Option<ulong> _splitKey = new("--split-key")
    {
        Description = "The key of --split-by hash.",
        DefaultValueFactory = _ => 0,
    };

    /// <summary>Adds the options to <paramref name="command"/>; DATASET becomes optional (a mixture names its datasets with --mix).</summary>
    public void AddTo(Command command, DatasetSource source)
    {
        source.Dataset.Arity = ArgumentArity.ZeroOrOne;
        command.Options.Add(_mix);
        command.Options.Add(_epochSamples);
        command.Options.Add(_mixBatches);
        command.Options.Add(_split);
        command.Options.Add(_splits);
        command.Options.Add(_splitBy);
        command.Options.Add(_splitKey);
    }

    /// <summary>Returns whether the command line asks for a mixture or a split; checks that DATASET and --mix are not both (or neither) given.</summary>
    /// <exception cref="UsageException">They are.</exception>
    public bool Handles(ParseResult result, DatasetSource source)
    {
        bool mix = result.GetValue(_mix) is { Length: > 0 };
        bool dataset = result.GetValue(source.Dataset) is not null;
        if (mix == dataset)
        {
            throw new UsageException(mix ? "Give either DATASET or --mix DIR=WEIGHT streams, not both." : "Give DATASET, or the streams of a mixture with --mix DIR=WEIGHT.");
        }

        if (mix && result.GetValue(_split) is not null)
        {
            throw new UsageException("--split NAME selects a split of DATASET; it does not combine with --mix.");
        }

        return mix || result.GetValue(_split) is not null;
    }

    /// <summary>Prints the plan of the mixture or split the command line names.</summary>
    /// <exception cref="UsageException">An option's value is wrong.</exception>
    /// <exception cref="InvalidDataException">The --mix datasets do not share one schema.</exception>
    public int Run(ParseResult result, CommandContext context, DatasetSource source, ShardLoaderOptions options, int epoch, bool perBatch)
    {
        return result.GetValue(_mix) is { Length: > 0 } streams
            ? RunMixture(result, context, source, streams, options, epoch, perBatch)
            : RunSplit(result, context, source, result.GetValue(_split)!, options, epoch, perBatch);
    }

    private int RunMixture(ParseResult result, CommandContext context, DatasetSource source, string[] streams, ShardLoaderOptions options, int epoch, bool perBatch)
    {
        ShardDatasetOptions readOptions = source.GetOptions(result);
        var datasets = new List<ShardDataset>();
        try
        {
            var mixStreams = new List<MixtureStream>();
            foreach (string stream in streams)
            {
                int eq = stream.LastIndexOf('=');
                if (eq <= 0 || !double.TryParse(stream.AsSpan(eq + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double weight) || !double.IsFinite(weight) || weight <= 0)
                {
                    throw new UsageException($"--mix '{stream}': use DIR=WEIGHT with a positive weight, e.g. --mix data/web=0.7.");
                }

                ShardDataset dataset = ShardDataset.Open(stream[..eq], readOptions);
                datasets.Add(dataset);
                mixStreams.Add(MixtureStream.Weighted(dataset, weight));
            }

            DatasetMixture mixture;
            try
            {
                mixture = DatasetMixture.Create(
                    mixStreams,
                    result.GetValue(_epochSamples),
                    result.GetValue(_mixBatches) ? MixtureGranularity.Batch : MixtureGranularity.Sample);
            }
            catch (ArgumentException e) when (e.Message.StartsWith("Stream ", StringComparison.Ordinal))
            {
                throw new InvalidDataException(e.Message, e);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }

            IEnumerable<SampleSource[]> plan = Plan(() => ShardLoader.PlanEpoch(mixture, options, epoch));
            Print(context, plan, perBatch, s => string.Create(CultureInfo.InvariantCulture, $"{s.Stream}:{s.Index}"));
            return ExitCodes.Success;
        }
        finally
        {
            foreach (ShardDataset d in datasets)
            {
                d.Dispose();
            }
        }
    }

    private int RunSplit(ParseResult result, CommandContext context, DatasetSource source, string name, ShardLoaderOptions options, int epoch, bool perBatch)
    {
        string by = result.GetValue(_splitBy)!;
        SplitMethod method = by.ToLowerInvariant() switch
        {
            "range" => SplitMethod.Range,
            "hash" => SplitMethod.Hash,
            _ => throw new UsageException($"--split-by '{by}': use range or hash."),
        };
        var names = new List<string>();
        var shares = new List<double>();
        foreach (string part in result.GetValue(_splits)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.LastIndexOf('=');
            if (eq <= 0 || !double.TryParse(part.AsSpan(eq + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double share) || !double.IsFinite(share) || share <= 0)
            {
                throw new UsageException($"--splits '{part}': use NAME=SHARE with a positive share, e.g. --splits train=0.9,validation=0.1.");
            }

            names.Add(part[..eq]);
            shares.Add(share);
        }

        int index = names.IndexOf(name);
        if (index < 0)
        {
            throw new UsageException($"--split '{name}' is not one of the splits {string.Join(", ", names)} (--splits).");
        }

        using ShardDataset dataset = source.Open(result);
        DatasetSplit split;
        try
        {
            split = DatasetSplit.Partition(dataset, method, names, shares, result.GetValue(_splitKey))[index];
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        DatasetMixture mixture = DatasetMixture.Create([MixtureStream.Sampled(split, split.SampleCount)]);
        IEnumerable<SampleSource[]> plan = Plan(() => ShardLoader.PlanEpoch(mixture, options, epoch));
        Print(context, plan, perBatch, s => split.GetDatasetIndex(s.Index).ToString(CultureInfo.InvariantCulture));
        return ExitCodes.Success;
    }

    private static IEnumerable<SampleSource[]> Plan(Func<IEnumerable<SampleSource[]>> plan)
    {
        try
        {
            return plan();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static void Print(CommandContext context, IEnumerable<SampleSource[]> plan, bool perBatch, Func<SampleSource, string> format)
    {
        TextWriter output = context.Output;
        foreach (SampleSource[] batch in plan)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            if (perBatch)
            {
                output.WriteLine(string.Join(' ', batch.Select(format)));
                continue;
            }

            foreach (SampleSource s in batch)
            {
                output.WriteLine(format(s));
            }
        }
    }
}
