namespace CacheStress;

/// <summary>The chunks both processes store: a fixed size and fixed bytes per (shard, chunk), as real chunks have.</summary>
internal static class StressChunks
{
    public const int Shards = 4;
    public const int ChunksPerShard = 50;

    public static int Size(int shard, int chunk) => 1024 + ((int)(Hash(shard, chunk) % 7) * 512);

    public static void Fill(int shard, int chunk, Span<byte> bytes)
    {
        uint h = Hash(shard, chunk);
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(h + ((uint)i * 31));
        }
    }

    public static int FirstDifference(int shard, int chunk, ReadOnlySpan<byte> bytes)
    {
        uint h = Hash(shard, chunk);
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != (byte)(h + ((uint)i * 31)))
            {
                return i;
            }
        }

        return -1;
    }

    private static uint Hash(int shard, int chunk) => (uint)((shard * 7919) + (chunk * 104729)) * 2654435761u >> 7;
}
