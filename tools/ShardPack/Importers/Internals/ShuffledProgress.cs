namespace ShardPack.Importers.Internals;

/// <summary>
/// The progress of an importer's shuffled pass: records come in any order, so their own lengths are counted instead
/// of a position in the file, and reported every <c>interval</c> records (with a check for cancellation); the rest of
/// the input's bytes are reported at the end, so the display's byte count ends at the input's size.
/// </summary>
internal struct ShuffledProgress(PackProgress progress, int interval, CancellationToken cancellationToken)
{
    private long _reported;
    private long _pendingBytes;
    private long _pending;

    /// <summary>Counts one record of <paramref name="bytes"/> input bytes written.</summary>
    public void Add(long bytes)
    {
        _pendingBytes += bytes;
        if (++_pending == interval)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress.Advance(_pending, _pendingBytes);
            _reported += _pendingBytes;
            _pending = _pendingBytes = 0;
        }
    }

    /// <summary>Reports the records not reported yet, and the input's bytes up to <paramref name="inputBytes"/>.</summary>
    public readonly void Finish(long inputBytes) => progress.Advance(_pending, Math.Max(0, inputBytes - _reported));
}
