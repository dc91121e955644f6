namespace ShardStore;

/// <summary>One sample read by global index; it keeps its chunk alive until disposed.</summary>
/// <remarks>Spans stay valid until the lease is disposed.</remarks>
public sealed class SampleLease : IDisposable
{
    private readonly ChunkLease _chunk;
    private readonly int _indexInChunk;

    internal SampleLease(ChunkLease chunk, int indexInChunk)
    {
        _chunk = chunk;
        _indexInChunk = indexInChunk;
    }

    /// <summary>Gets the global sample index.</summary>
    public long Index => _chunk.FirstSample + _indexInChunk;

    /// <summary>Gets the shard holding the sample.</summary>
    public int Shard => _chunk.Shard;

    /// <summary>Gets the chunk, within its shard, holding the sample.</summary>
    public int Chunk => _chunk.Chunk;

    /// <summary>Returns the sample's value of a field: its elements for a fixed field, its run for a variable one.</summary>
    /// <typeparam name="T">Element type compatible with the field's dtype.</typeparam>
    /// <param name="field">Field index.</param>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> does not match the field's dtype.</exception>
    /// <exception cref="ObjectDisposedException">The lease was disposed.</exception>
    public ReadOnlySpan<T> Get<T>(int field)
        where T : unmanaged => _chunk.GetSample<T>(field, _indexInChunk);

    /// <summary>Returns the sample's value of a field, by field name: its elements for a fixed field, its run for a variable one.</summary>
    /// <typeparam name="T">Element type compatible with the field's dtype.</typeparam>
    /// <param name="name">Field name.</param>
    /// <exception cref="KeyNotFoundException">No field has that name.</exception>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> does not match the field's dtype.</exception>
    /// <exception cref="ObjectDisposedException">The lease was disposed.</exception>
    public ReadOnlySpan<T> Get<T>(string name)
        where T : unmanaged => _chunk.GetSample<T>(name, _indexInChunk);

    /// <summary>Releases the chunk; spans from this lease must no longer be used. Safe to call twice.</summary>
    public void Dispose() => _chunk.Dispose();
}
