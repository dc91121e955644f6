namespace ShardStore.ML.Internals;

/// <summary>The chunks one pass visits, in order, and for a shuffled pass a seed per chunk for the order of its samples.</summary>
/// <remarks>The seeds are drawn up front, so the cursors of a set shuffle the same way whichever thread runs them.</remarks>
internal sealed class CursorPlan
{
    private readonly (int Shard, int Chunk)[] _chunks;
    private readonly int[]? _seeds;

    private CursorPlan((int Shard, int Chunk)[] chunks, int[]? seeds)
    {
        _chunks = chunks;
        _seeds = seeds;
    }

    public int Count => _chunks.Length;

    public bool IsShuffled => _seeds is not null;

    public (int Shard, int Chunk) this[int step] => _chunks[step];

    public static CursorPlan Create((int Shard, int Chunk)[] chunks, Random? random)
    {
        if (random is null)
        {
            return new CursorPlan(chunks, null);
        }

        (int Shard, int Chunk)[] order = [.. chunks];
        random.Shuffle(order);
        int[] seeds = new int[order.Length];
        for (int i = 0; i < seeds.Length; i++)
        {
            seeds[i] = random.Next();
        }

        return new CursorPlan(order, seeds);
    }

    /// <summary>Returns the order in which to visit the samples of the chunk at <paramref name="step"/>, or null for their own order.</summary>
    public int[]? SampleOrder(int step, int count)
    {
        if (_seeds is null)
        {
            return null;
        }

        int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        new Random(_seeds[step]).Shuffle(order);
        return order;
    }
}
