using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Ordering;

/// <summary>
/// How Window order cuts a partition: windows of about <see cref="WindowChunks"/> chunks' samples, each dealt
/// pieces of <see cref="PieceSamples"/> consecutive samples from the <see cref="GroupChunks"/> chunks of its group.
/// </summary>
/// <remarks>
/// A group is a run of <c>W x K</c> chunks of the partition's shuffled chunk schedule, read as <c>ceil(g / W)</c>
/// windows (<c>g</c> its chunks, <c>K</c> the <see cref="Spread"/>); piece <c>i</c> of the chunk at place <c>s</c> of
/// the group goes to window <c>(i + s) mod k</c>. So every window draws from every chunk of its group, and a chunk is
/// read only while its group is: decoded once when the group's span of batches fits the loader's budget, at most
/// once per window of its group (<c>K</c> times) otherwise. <c>K = 1</c> is the order of whole-chunk windows.
/// </remarks>
/// <param name="WindowChunks">W: the chunks' worth of samples in one window.</param>
/// <param name="PieceSamples">S: the samples of one piece (a chunk's last piece may hold fewer).</param>
/// <param name="Spread">K: the windows of a full group, over which each chunk's pieces are dealt.</param>
internal readonly record struct WindowShape(int WindowChunks, int PieceSamples, int Spread)
{
    /// <summary>The raw bytes a piece aims at when the piece size is chosen automatically.</summary>
    public const int AutomaticPieceBytes = 64 * 1024;

    /// <summary>The most windows a chunk's pieces are spread over when the spread is chosen automatically.</summary>
    public const int MaxAutomaticSpread = 16;

    /// <summary>
    /// The most raw bytes a group's chunks hold together (by the mean chunk) when the spread is chosen automatically:
    /// a loader that decodes each chunk once holds about two groups' span of batches, so this bounds its slots at about
    /// 512 MiB, half the default memory budget. A constant, not the loader's budget: the order may not depend on it.
    /// </summary>
    public const long MaxAutomaticGroupBytes = 256L << 20;

    /// <summary>The version of the Window order function this shape describes (see docs/FORMAT.md, "Sample orders").</summary>
    public const int OrderVersion = 3;

    /// <summary>
    /// The version of the order function: 3 for Window order with pieces dealt over groups (<paramref name="pieceSamples"/>
    /// set, the default), 1 otherwise (whole-chunk windows compute exactly the order of the first version).
    /// </summary>
    public static int OrderVersionOf(SampleOrder order, int? pieceSamples) => order == SampleOrder.Window && pieceSamples is not null ? OrderVersion : 1;

    /// <summary>Gets the chunks of a full group: <c>W x K</c>.</summary>
    public int GroupChunks => (int)Math.Min(int.MaxValue, (long)WindowChunks * Spread);

    /// <summary>
    /// The shape for <paramref name="layout"/>. With <paramref name="pieceSamples"/> null, whole-chunk windows (K = 1).
    /// Otherwise S = <paramref name="pieceSamples"/>, or for 0 S = max(1, floor(64 KiB / mean raw bytes per sample)), and
    /// K = clamp(ceil(mean samples per chunk / S), 1, min(16, max(1, floor(256 MiB / (W x mean raw bytes per chunk))))),
    /// unless <paramref name="spread"/> gives K.
    /// </summary>
    /// <param name="layout">The chunks the order runs over.</param>
    /// <param name="windowChunks">W.</param>
    /// <param name="pieceSamples">S, 0 for automatic, null for whole-chunk windows.</param>
    /// <param name="spread">K, or null for automatic.</param>
    /// <param name="groupBytes">The most raw bytes of an automatic group (a mixture stream's share of 256 MiB).</param>
    public static WindowShape For(ChunkIndex layout, int windowChunks, int? pieceSamples = null, int? spread = null, long groupBytes = MaxAutomaticGroupBytes)
    {
        int piece = pieceSamples is > 0 ? pieceSamples.Value : AutomaticPiece(layout);
        int k = spread ?? (pieceSamples is null ? 1 : AutomaticSpread(layout, windowChunks, piece, groupBytes));
        return new WindowShape(windowChunks, piece, k);
    }

    /// <summary>The shape a loader with <paramref name="options"/> uses over <paramref name="layout"/>.</summary>
    public static WindowShape For(ChunkIndex layout, ShardLoaderOptions options) =>
        For(layout, options.WindowChunks, options.WindowPieceSamples, options.WindowSpread);

    private static int AutomaticPiece(ChunkIndex layout)
    {
        if (layout.SampleCount == 0)
        {
            return 1;
        }

        long meanBytes = Math.Max(1, (layout.TotalRawBytes + layout.SampleCount - 1) / layout.SampleCount);
        return (int)Math.Max(1, AutomaticPieceBytes / meanBytes);
    }

    private static int AutomaticSpread(ChunkIndex layout, int windowChunks, int piece, long groupBytes)
    {
        if (layout.ChunkCount == 0)
        {
            return 1;
        }

        long meanChunkSamples = (layout.SampleCount + layout.ChunkCount - 1) / layout.ChunkCount;
        long meanChunkBytes = Math.Max(1, (layout.TotalRawBytes + layout.ChunkCount - 1) / layout.ChunkCount);
        long byBytes = Math.Max(1, groupBytes / ((long)windowChunks * meanChunkBytes));
        return (int)Math.Clamp((meanChunkSamples + piece - 1) / piece, 1, Math.Min(MaxAutomaticSpread, byBytes));
    }
}
