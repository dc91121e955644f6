using ShardStore.Format;
using ShardStore.Internals.Memory;

namespace ShardStore.Internals.Reading;

/// <summary>A decoded chunk in a pooled buffer, shared by the cache and any number of leases.</summary>
internal sealed class DecodedChunk(ChunkBufferPool pool, byte[] buffer, int length, FieldSection[] sections, int shard, int chunk)
{
    private int _references = 1;

    public byte[] Buffer => buffer;

    public int Length => length;

    public FieldSection[] Sections => sections;

    public int Shard => shard;

    public int Chunk => chunk;

    /// <summary>Gets whether only one holder (normally the cache) references the chunk.</summary>
    public bool IsSolelyHeld => Volatile.Read(ref _references) == 1;

    public void AddReference() => Interlocked.Increment(ref _references);

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            pool.Return(buffer);
        }
    }
}
