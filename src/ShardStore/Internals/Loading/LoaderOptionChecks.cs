namespace ShardStore.Internals.Loading;

/// <summary>The checks of a loader's options, and of a loader state it resumes from, against the dataset.</summary>
internal static class LoaderOptionChecks
{
    /// <summary>Checks the options that decide the order (all a plan needs).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static void CheckOrder(ILoaderSource dataset, ShardLoaderOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1, "options.BatchSize");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.BatchSize, BatchGatherer.MaxBatchSize, "options.BatchSize");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.WindowChunks, 1, "options.WindowChunks");
        ArgumentOutOfRangeException.ThrowIfNegative(options.WindowPieceSamples ?? 0, "options.WindowPieceSamples");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.WindowSpread ?? 1, 1, "options.WindowSpread");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.WorldSize, 1, "options.WorldSize");
        ArgumentOutOfRangeException.ThrowIfNegative(options.Rank, "options.Rank");
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(options.Rank, options.WorldSize, "options.Rank");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.LogicalPartitions, 1, "options.LogicalPartitions");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.LogicalPartitions, Math.Max(1, dataset.ChunkCount), "options.LogicalPartitions");
        if (!Enum.IsDefined(options.Order))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Order, "Unknown sample order.");
        }
    }

    /// <summary>Checks every option a running loader needs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">Zero-copy batches are asked of a dataset that is not mapped, or together with transforms.</exception>
    public static void CheckAll(ILoaderSource dataset, ShardLoaderOptions options)
    {
        CheckOrder(dataset, options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DecodeWorkers, 1, "options.DecodeWorkers");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PrefetchDepth, 1, "options.PrefetchDepth");
        if (options.Epochs is { } epochs)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(epochs, "options.Epochs");
        }

        CheckTransforms(options);
        if (options.ZeroCopy && dataset.ReadMode != Storage.ShardReadMode.Mapped)
        {
            throw new ArgumentException(
                $"ShardLoaderOptions.ZeroCopy hands out spans over mapped shards, and '{dataset.Directory}' is read with ShardReadMode.{dataset.ReadMode} ({(dataset.IsRemote ? "it is in an object store" : "chosen, or the files exceed a quarter of memory")}); open it with ShardReadMode.Mapped or turn ZeroCopy off.",
                nameof(options));
        }
    }

    /// <summary>Checks the options that concern transforms (their fields are checked by <see cref="TransformPlan.Create"/>).</summary>
    /// <exception cref="ArgumentException">Zero-copy batches are asked together with transforms.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The error policy is not defined.</exception>
    private static void CheckTransforms(ShardLoaderOptions options)
    {
        if (!Enum.IsDefined(options.TransformErrors))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.TransformErrors, "Unknown ShardLoaderOptions.TransformErrors policy.");
        }

        if (options.ZeroCopy && (options.Transforms is { Count: > 0 } || options.BatchTransforms is { Count: > 0 }))
        {
            throw new ArgumentException(
                "ShardLoaderOptions.ZeroCopy hands out the stored bytes over the shard mapping, so nothing can transform them; turn ZeroCopy off to use Transforms or BatchTransforms.",
                nameof(options));
        }
    }

    /// <summary>Checks that <paramref name="state"/> was taken from this dataset with the same order options.</summary>
    /// <exception cref="ArgumentException">It was not.</exception>
    public static void CheckResume(ShardDataset dataset, ShardLoaderOptions options, LoaderState state)
    {
        if (state.DatasetIdentity is { } identity && dataset.Identity is { } current && identity != current)
        {
            throw new ArgumentException(
                $"The loader state belongs to dataset {identity} (fingerprint {state.DatasetFingerprint}), not to '{dataset.Directory}' (dataset {current}, fingerprint {dataset.Fingerprint}), which is another pack; resume with the dataset it was taken from.",
                nameof(options));
        }

        if (state.DatasetGeneration is int generation && generation > dataset.Generation)
        {
            throw new ArgumentException(
                $"The loader state was taken on generation {generation} of the dataset, and '{dataset.Directory}' is opened at generation {dataset.Generation}; open the newest generation (ShardDatasetOptions.Generation null) to resume.",
                nameof(options));
        }

        // A state of an older generation resumes on a newer one: the older is a prefix of it (EpochLayouts).
        if (Ordering.EpochLayouts.Resolve(dataset, state) is not { } stateGeneration)
        {
            throw new ArgumentException(
                $"The loader state belongs to dataset {state.DatasetFingerprint}, not to '{dataset.Directory}' ({dataset.Fingerprint}); resume with the dataset it was taken from.",
                nameof(options));
        }

        CheckOrderOptions(options, state);

        if (state.Position > stateGeneration.SampleCount)
        {
            throw new ArgumentException($"The loader state's position {state.Position} is past the {stateGeneration.SampleCount} samples of generation {stateGeneration.Number} of the dataset.", nameof(options));
        }
    }

    /// <summary>
    /// Checks that <paramref name="state"/> was taken with the order options of <paramref name="options"/> and with the
    /// version of the order function this loader computes (single datasets and mixtures alike).
    /// </summary>
    /// <exception cref="ArgumentException">It was not: resuming would not yield the batches still to come.</exception>
    public static void CheckOrderOptions(ShardLoaderOptions options, LoaderState state)
    {
        string? mismatch =
            state.Seed != options.Seed ? $"Seed {state.Seed} (options: {options.Seed})"
            : state.Order != options.Order ? $"Order {state.Order} (options: {options.Order})"
            : state.BatchSize != options.BatchSize ? $"BatchSize {state.BatchSize} (options: {options.BatchSize})"
            : state.WindowChunks != options.WindowChunks ? $"WindowChunks {state.WindowChunks} (options: {options.WindowChunks})"
            : state.WindowPieceSamples != options.WindowPieceSamples ? $"WindowPieceSamples {state.WindowPieceSamples?.ToString() ?? "none"} (options: {options.WindowPieceSamples?.ToString() ?? "none"})"
            : state.LogicalPartitions != options.LogicalPartitions ? $"LogicalPartitions {state.LogicalPartitions} (options: {options.LogicalPartitions})"
            : state.DropLast != options.DropLast ? $"DropLast {state.DropLast} (options: {options.DropLast})"
            : null;
        if (mismatch is not null)
        {
            throw new ArgumentException($"The loader state was taken with {mismatch}; resume with the same order options.", nameof(options));
        }

        int version = Ordering.WindowShape.OrderVersionOf(options.Order, options.WindowPieceSamples);
        if (state.OrderVersion != version)
        {
            throw new ArgumentException(
                $"The loader state was taken with version {state.OrderVersion} of the {state.Order} order function, and this loader computes version {version}, which orders the samples differently; resuming would not yield the batches still to come. Resume with the release that saved the state, or restart its epoch in this order (the state with Position 0 and OrderVersion {version}).",
                nameof(options));
        }
    }
}
