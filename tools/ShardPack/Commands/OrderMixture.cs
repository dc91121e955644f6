using System.CommandLine;

namespace ShardPack.Commands;

/// <summary>
/// The mixture and split options of <c>shardpack order</c>: <c>--mix DIR=WEIGHT</c> or <c>--mix DIR@SPLIT=WEIGHT</c>
/// (repeated) prints <c>stream:index</c> per sample of a mixture's plan, <c>--split NAME</c> the dataset indices of one
/// split's plan; with <c>--ledger</c>, the states of a run over that mixture or split are checked against the plan.
/// </summary>
internal sealed class OrderMixture
{
    private readonly Option<string[]> _mix = new("--mix")
    {
        HelpName = "DIR[@SPLIT]=WEIGHT",
        Description = "A stream of a mixture: a dataset directory, optionally @ a split of it (--splits, --split-by, --split-key; DIR@=WEIGHT for a directory whose name holds '@'), "
            + "and its weight (share of each epoch); repeat for each stream. Instead of DATASET. Prints stream:index per sample "
            + "(stream = 0-based place of its --mix, index = sample of that dataset, or of that split).",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private readonly Option<long?> _epochSamples = new("--epoch-samples")
    {
        HelpName = "N",
        Description = "Samples per epoch the --mix streams share (default: the sum of their datasets' or splits' samples).",
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
        Description = "The splits of DATASET (or of each --mix DIR@SPLIT dataset) and their shares; disjoint, together every sample.",
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
            throw new UsageException("--split NAME selects a split of DATASET; for a split as a stream of a mixture, use --mix DIR@SPLIT=WEIGHT.");
        }

        return mix || result.GetValue(_split) is not null;
    }

    /// <summary>Opens the mixture or split the command line names.</summary>
    /// <exception cref="UsageException">An option's value is wrong.</exception>
    /// <exception cref="InvalidDataException">The --mix datasets do not share one schema.</exception>
    public OrderStreams Open(ParseResult result, DatasetSource source)
    {
        var splits = SplitDefinition.Parse(result.GetValue(_splits)!, result.GetValue(_splitBy)!, result.GetValue(_splitKey));
        if (result.GetValue(_mix) is { Length: > 0 } streams)
        {
            return OrderStreams.OpenMixture(
                streams,
                splits,
                result.GetValue(_epochSamples),
                result.GetValue(_mixBatches) ? MixtureGranularity.Batch : MixtureGranularity.Sample,
                source.GetOptions(result));
        }

        string name = result.GetValue(_split)!;
        splits.IndexOf(name, $"--split '{name}'");
        return OrderStreams.OpenSplit(source.Open(result), name, splits);
    }

    /// <summary>Prints the plan of the mixture or split the command line names.</summary>
    /// <exception cref="UsageException">An option's value is wrong.</exception>
    /// <exception cref="InvalidDataException">The --mix datasets do not share one schema.</exception>
    public int Run(ParseResult result, CommandContext context, DatasetSource source, ShardLoaderOptions options, int epoch, bool perBatch)
    {
        using OrderStreams streams = Open(result, source);
        IEnumerable<SampleSource[]> plan;
        try
        {
            plan = ShardLoader.PlanEpoch(streams.Mixture, options, epoch);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        TextWriter output = context.Output;
        foreach (SampleSource[] batch in plan)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            if (perBatch)
            {
                output.WriteLine(string.Join(' ', batch.Select(streams.Format)));
                continue;
            }

            foreach (SampleSource s in batch)
            {
                output.WriteLine(streams.Format(s));
            }
        }

        return ExitCodes.Success;
    }

    /// <summary>Checks the ledgers of loader states of a run over the mixture or split the command line names (see <see cref="LedgerCheck"/>).</summary>
    /// <returns><see cref="ExitCodes.Success"/>, or <see cref="ExitCodes.BadData"/> on a mismatch.</returns>
    /// <exception cref="UsageException">An option's value is wrong, or a state has no ledger.</exception>
    /// <exception cref="InvalidDataException">The states were taken from another mixture or split.</exception>
    public int CheckLedger(ParseResult result, CommandContext context, DatasetSource source, IReadOnlyList<string> files) =>
        LedgerCheck.Run(context, files, run => new MixtureLedgerPlan(Open(result, source), run));
}
