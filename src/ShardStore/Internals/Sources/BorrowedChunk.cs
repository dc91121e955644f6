namespace ShardStore.Internals.Sources;

/// <summary>
/// A chunk's stored bytes lent where a read ahead put them (<see cref="ChunkReadAhead.TryBorrow"/>), so they are checked
/// and decoded without a copy; disposing it gives the run its buffer back. Default: nothing lent.
/// </summary>
internal readonly struct BorrowedChunk(ReadAheadRun run, int offset, int length) : IDisposable
{
    /// <summary>Gets the chunk's stored bytes; valid until disposed.</summary>
    public ReadOnlySpan<byte> Bytes => run.Buffer.Memory.Span.Slice(offset, length);

    public void Dispose() => run?.Release();
}
