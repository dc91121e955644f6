using System.Buffers;

namespace ShardStore.Internals.Sources;

/// <summary>One read of a <see cref="ChunkReadAhead"/>: its buffer, returned when the chunks handed out and the read are all done.</summary>
internal sealed class ReadAheadRun(IMemoryOwner<byte> buffer, int references)
{
    // Interlocked: chunks not yet taken or dropped, plus the read while it runs.
    private int _references = references;

    public IMemoryOwner<byte> Buffer => buffer;

    /// <summary>Gets the read; set once, before any chunk of the run is handed out.</summary>
    public Task<int> Read { get; set; } = null!;

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            buffer.Dispose();
        }
    }
}
