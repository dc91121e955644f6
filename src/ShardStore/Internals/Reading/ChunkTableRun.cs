using ShardStore.Format;

namespace ShardStore.Internals.Reading;

/// <summary>One shard's chunk table in a <see cref="ChunkTableArena"/>: <paramref name="count"/> entries and verified flags from <paramref name="start"/> on.</summary>
internal readonly struct ChunkTableRun(ChunkEntry[] entries, byte[] flags, int start, int count)
{
    public int Count => count;

    /// <summary>Gets the entries; written only while the shard is validated, before the run is shared.</summary>
    public Span<ChunkEntry> Entries => new(entries, start, count);

    /// <summary>Returns the verified flag of a chunk (0 or 1), checking the index against the run.</summary>
    public ref byte Flag(int chunk) => ref new Span<byte>(flags, start, count)[chunk];
}
