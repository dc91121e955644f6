namespace ShardPack.Commands;

/// <summary>
/// The plan of a run over a mixture or a split, for <c>order --mix ... --ledger</c> and <c>order DATASET --split NAME
/// --ledger</c>: each epoch's global order over the mixture; a ledger's keys are <see cref="LoaderLedger.Key"/> of
/// stream and dataset index (for a split, its dataset indices).
/// </summary>
internal sealed class MixtureLedgerPlan : ILedgerPlan
{
    private readonly OrderStreams _streams;
    private readonly ShardLoaderOptions _options;
    private readonly long _epochSamples;

    /// <summary>Creates the plan of the run <paramref name="run"/> belongs to; takes <paramref name="streams"/> over (disposed with the plan, or on failure).</summary>
    /// <exception cref="InvalidDataException">The state belongs to one dataset, or to another mixture (the message names the first stream that differs).</exception>
    public MixtureLedgerPlan(OrderStreams streams, LoaderState run)
    {
        try
        {
            CheckRun(streams.Mixture, run);
            _options = LedgerCheck.PlanOptions(run);
            _epochSamples = streams.Mixture.GetSamplesPerEpoch(run.BatchSize).Sum();
        }
        catch
        {
            streams.Dispose();
            throw;
        }

        _streams = streams;
    }

    /// <inheritdoc/>
    public (long Count, ulong Sum) Expected(int epoch, int? generation, long from, long to)
    {
        if (to > _epochSamples)
        {
            throw new InvalidDataException($"A ledger of epoch {epoch} reaches position {to}, past the {_epochSamples} samples of an epoch of the mixture.");
        }

        return (to - from, LedgerCheck.SumKeys(ShardLoader.PlanEpoch(_streams.Mixture, _options, epoch), from, to, _streams.LedgerKey));
    }

    /// <summary>Closes the datasets.</summary>
    public void Dispose() => _streams.Dispose();

    // The state's mixture must be this one: its descriptor (parameters and short fingerprints) and its fingerprint.
    private static void CheckRun(DatasetMixture mixture, LoaderState run)
    {
        string what = "the --mix or --split options (and --splits, --split-by, --split-key, --epoch-samples, --mix-batches) must be those of the run";
        if (run.Mixture is not { } recorded)
        {
            throw new InvalidDataException($"The loader states belong to one dataset ({run.DatasetFingerprint}), not to a mixture or a split; check them with `shardpack order DATASET --ledger`.");
        }

        string[] was = recorded.Split(';');
        string[] now = mixture.Descriptor.Split(';');
        const int Header = 2;
        if (was.Length != now.Length)
        {
            throw new InvalidDataException($"The loader states were taken from a mixture of {was.Length - Header} streams, and these options make {now.Length - Header}; {what}.");
        }

        for (int i = 0; i < now.Length; i++)
        {
            string a = was[i];
            string b = now[i];
            if (a != b)
            {
                throw new InvalidDataException(i < Header
                    ? $"The loader states were taken from a mixture with {a}, and these options make {b}; {what}."
                    : $"The loader states were taken with stream {i - Header} as {a} (dataset fingerprint:parameter), and these options make it {b}; {what}.");
            }
        }

        if (run.DatasetFingerprint != mixture.Fingerprint)
        {
            throw new InvalidDataException($"The loader states belong to mixture {run.DatasetFingerprint}, and these options make mixture {mixture.Fingerprint}; {what}.");
        }
    }
}
