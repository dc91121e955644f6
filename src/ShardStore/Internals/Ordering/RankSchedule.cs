namespace ShardStore.Internals.Ordering;

/// <summary>One batch of one rank: where its samples lie in the epoch's global order, and the state after it.</summary>
internal readonly record struct BatchPlan(long Sequence, int Epoch, long Start, int Count, int NextEpoch, long NextPosition);

/// <summary>
/// Which positions of each epoch's global order one rank receives, batch by batch, from a starting
/// (epoch, position) through the last epoch.
/// </summary>
/// <remarks>
/// From position p0 the rest of the epoch is cut into steps of <c>R x B</c> samples; in each step rank r
/// takes the r-th block of B. The samples left after the last full step (fewer than R x B) are either
/// dropped or split into R consecutive, nearly equal pieces, one per rank, so every rank gets the same
/// number of batches. A state's position is always at a step boundary, so resuming with another R
/// continues the same global sequence. The first epoch may have fewer samples than the later ones (a resume that
/// finishes an epoch of an older generation of the dataset).
/// </remarks>
internal sealed class RankSchedule
{
    private readonly long _samples;
    private readonly long _firstSamples;
    private readonly int _batch;
    private readonly int _rank;
    private readonly int _world;
    private readonly bool _dropLast;
    private readonly int _firstEpoch;
    private readonly long _firstPosition;
    private readonly long _firstEpochBatches;
    private readonly long _fullEpochBatches;
    private readonly int? _epochs;

    public RankSchedule(long samples, int batchSize, int rank, int worldSize, bool dropLast, int firstEpoch, long firstPosition, int? epochs, long? firstEpochSamples = null)
    {
        _samples = samples;
        _firstSamples = firstEpochSamples ?? samples;
        _batch = batchSize;
        _rank = rank;
        _world = worldSize;
        _dropLast = dropLast;
        _firstEpoch = firstEpoch;
        _firstPosition = firstPosition;
        _epochs = epochs;
        _firstEpochBatches = BatchesFrom(_firstSamples, firstPosition);
        _fullEpochBatches = BatchesFrom(samples, 0);
    }

    /// <summary>Gets the number of batches this rank gets in an epoch started from its beginning.</summary>
    public long BatchesPerEpoch => _fullEpochBatches;

    /// <summary>Gets the total number of batches this plan yields, or null when it runs forever.</summary>
    public long? TotalBatches => _epochs is not { } e ? null
        : _firstEpoch >= e ? 0
        : _firstEpochBatches + ((e - _firstEpoch - 1) * _fullEpochBatches);

    public bool TryGet(long sequence, out BatchPlan plan)
    {
        plan = default;
        if (sequence < 0 || (TotalBatches is { } total && sequence >= total))
        {
            return false;
        }

        int epoch;
        long samples = sequence < _firstEpochBatches ? _firstSamples : _samples;
        long p0;
        long k;
        long batches;
        if (sequence < _firstEpochBatches)
        {
            (epoch, p0, k, batches) = (_firstEpoch, _firstPosition, sequence, _firstEpochBatches);
        }
        else if (_fullEpochBatches == 0)
        {
            return false;
        }
        else
        {
            long rest = sequence - _firstEpochBatches;
            (epoch, p0, k, batches) = (checked(_firstEpoch + 1 + (int)(rest / _fullEpochBatches)), 0, rest % _fullEpochBatches, _fullEpochBatches);
        }

        long step = (long)_world * _batch;
        long fullSteps = (samples - p0) / step;
        long start;
        int count;
        if (k < fullSteps)
        {
            start = p0 + (k * step) + ((long)_rank * _batch);
            count = _batch;
        }
        else
        {
            long tail = (samples - p0) - (fullSteps * step);
            long tailStart = p0 + (fullSteps * step);
            start = tailStart + (_rank * tail / _world);
            count = (int)(((_rank + 1) * tail / _world) - (_rank * tail / _world));
        }

        bool last = k + 1 == batches;
        plan = new BatchPlan(sequence, epoch, start, count, last ? epoch + 1 : epoch, last ? 0 : p0 + ((k + 1) * step));
        return true;
    }

    /// <summary>Returns the position after the last sample of <paramref name="epoch"/>'s global order that some rank receives (the samples less what DropLast drops).</summary>
    public long EpochEnd(int epoch)
    {
        (long samples, long p0) = epoch == _firstEpoch ? (_firstSamples, _firstPosition) : (_samples, 0);
        long step = (long)_world * _batch;
        return _dropLast ? p0 + ((samples - p0) / step * step) : samples;
    }

    private long BatchesFrom(long samples, long position)
    {
        long remaining = samples - position;
        long step = (long)_world * _batch;
        long full = remaining / step;
        return full + (!_dropLast && remaining % step != 0 ? 1 : 0);
    }
}
