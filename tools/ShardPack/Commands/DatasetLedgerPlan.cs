namespace ShardPack.Commands;

/// <summary>
/// The plan of a run over one dataset, for <c>order DATASET --ledger</c>: each epoch's global order on the generation
/// its ledgers name (one open dataset per generation); a ledger's keys are global sample indices.
/// </summary>
internal sealed class DatasetLedgerPlan : ILedgerPlan
{
    private readonly string _location;
    private readonly ShardDatasetOptions _read;
    private readonly LoaderState _run;
    private readonly Dictionary<int, ShardDataset> _datasets = [];

    /// <summary>Creates the plan of the run <paramref name="run"/> belongs to, over the dataset at <paramref name="location"/>.</summary>
    /// <exception cref="InvalidDataException">The state belongs to a mixture or a split.</exception>
    public DatasetLedgerPlan(string location, ShardDatasetOptions read, LoaderState run)
    {
        if (run.Mixture is not null)
        {
            throw new InvalidDataException($"'{location}': the loader states belong to a mixture or a split (mixture {run.DatasetFingerprint}), not to one dataset; check them with the --mix or --split options of the run.");
        }

        _location = location;
        _read = read;
        _run = run;
    }

    /// <inheritdoc/>
    public (long Count, ulong Sum) Expected(int epoch, int? generation, long from, long to)
    {
        ShardDataset dataset = Open(generation);
        if (to > dataset.SampleCount)
        {
            throw new InvalidDataException($"'{dataset.Directory}': a ledger of epoch {epoch} reaches position {to}, past the {dataset.SampleCount} samples of generation {dataset.Generation}.");
        }

        return (to - from, LedgerCheck.SumKeys(ShardLoader.PlanEpoch(dataset, LedgerCheck.PlanOptions(_run), epoch), from, to, index => index));
    }

    /// <summary>Closes the datasets.</summary>
    public void Dispose()
    {
        foreach (ShardDataset dataset in _datasets.Values)
        {
            dataset.Dispose();
        }
    }

    private ShardDataset Open(int? generation)
    {
        int key = generation ?? 0;
        if (_datasets.TryGetValue(key, out ShardDataset? open))
        {
            return open;
        }

        var dataset = ShardDataset.Open(_location, new ShardDatasetOptions
        {
            Codecs = _read.Codecs,
            ObjectStorage = _read.ObjectStorage,
            ReadMode = _read.ReadMode,
            DirectIo = _read.DirectIo,
            Cache = _read.Cache,
            Generation = generation,
        });
        if (_run.DatasetIdentity is { } identity && dataset.Identity != identity)
        {
            dataset.Dispose();
            throw new InvalidDataException($"'{dataset.Directory}': the loader states belong to dataset {identity}, not to this one ({dataset.Identity ?? "none"}).");
        }

        _datasets[key] = dataset;
        return dataset;
    }
}
