using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ShardStore.Compression;
using ShardStore.Format;

namespace ShardStore.Internals.Reading;

/// <summary>The dataset's chunks flattened into one global list, in sample order: what the loader plans over.</summary>
internal sealed class ChunkIndex
{
    public ChunkIndex(Loading.ILoaderSource dataset)
    {
        int count = checked((int)dataset.ChunkCount);
        ChunkStarts = new long[count + 1];
        ChunkShard = new int[count];
        ChunkInShard = new int[count];
        int c = 0;
        for (int s = 0; s < dataset.Shards.Count; s++)
        {
            int chunks = dataset.GetChunkCount(s);
            for (int k = 0; k < chunks; k++, c++)
            {
                ChunkEntry e = dataset.GetEntry(s, k);
                ChunkShard[c] = s;
                ChunkInShard[c] = k;
                ChunkStarts[c] = dataset.Shards[s].FirstSample + e.FirstSample;
                MaxRawChunkBytes = Math.Max(MaxRawChunkBytes, e.RawSize);
                TotalRawBytes += e.RawSize;
                MaxStoredChunkBytes = Math.Max(MaxStoredChunkBytes, e.StoredSize);
                if (e.Codec != CodecKind.None)
                {
                    MaxDecodedChunkBytes = Math.Max(MaxDecodedChunkBytes, e.RawSize);
                    MaxCompressedChunkBytes = Math.Max(MaxCompressedChunkBytes, e.StoredSize);
                }
            }
        }

        ChunkStarts[count] = dataset.SampleCount;
        SampleCount = dataset.SampleCount;
        for (int k = 0; k < count; k++)
        {
            MaxChunkSamples = Math.Max(MaxChunkSamples, SamplesIn(k));
        }
    }

    /// <summary>
    /// Creates a layout of chunks with the given starts and no shards: a subset of a dataset's samples grouped by the
    /// chunks they lie in, for an order to run over (a split's samples, see <see cref="Ordering.SplitMap"/>).
    /// </summary>
    /// <param name="chunkStarts">Each chunk's first sample, plus the sample count at the end.</param>
    /// <param name="rawBytes">The raw bytes of those samples (Window order chooses its piece size from the mean).</param>
    public ChunkIndex(long[] chunkStarts, long rawBytes)
    {
        int count = chunkStarts.Length - 1;
        ChunkStarts = chunkStarts;
        TotalRawBytes = rawBytes;
        ChunkShard = new int[count];
        ChunkInShard = new int[count];
        SampleCount = chunkStarts[count];
        for (int k = 0; k < count; k++)
        {
            MaxChunkSamples = Math.Max(MaxChunkSamples, SamplesIn(k));
        }
    }

    // The first chunks of another index, which end at a chunk boundary (an older generation of the dataset), holding
    // rawBytes raw bytes.
    private ChunkIndex(ChunkIndex whole, int chunks, long rawBytes)
    {
        TotalRawBytes = rawBytes;
        ChunkStarts = whole.ChunkStarts[..(chunks + 1)];
        ChunkShard = whole.ChunkShard[..chunks];
        ChunkInShard = whole.ChunkInShard[..chunks];
        SampleCount = ChunkStarts[chunks];
        MaxDecodedChunkBytes = whole.MaxDecodedChunkBytes;
        MaxRawChunkBytes = whole.MaxRawChunkBytes;
        MaxStoredChunkBytes = whole.MaxStoredChunkBytes;
        MaxCompressedChunkBytes = whole.MaxCompressedChunkBytes;
        for (int k = 0; k < chunks; k++)
        {
            MaxChunkSamples = Math.Max(MaxChunkSamples, SamplesIn(k));
        }
    }

    // A layout of chunks with the given sample counts and raw sizes and no files behind it: what order functions
    // are computed over by tools and tests that never read a sample.
    private ChunkIndex(ReadOnlySpan<int> chunkSamples, long rawBytes)
    {
        int count = chunkSamples.Length;
        ChunkStarts = new long[count + 1];
        ChunkShard = new int[count];
        ChunkInShard = new int[count];
        for (int c = 0; c < count; c++)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(chunkSamples[c], 1, nameof(chunkSamples));
            ChunkInShard[c] = c;
            ChunkStarts[c + 1] = ChunkStarts[c] + chunkSamples[c];
            MaxChunkSamples = Math.Max(MaxChunkSamples, chunkSamples[c]);
        }

        SampleCount = ChunkStarts[count];
        TotalRawBytes = rawBytes;
    }

    /// <summary>Gets the global index of each chunk's first sample, plus the sample count at the end.</summary>
    public long[] ChunkStarts { get; }

    public int[] ChunkShard { get; }

    public int[] ChunkInShard { get; }

    public int ChunkCount => ChunkShard.Length;

    public long SampleCount { get; }

    /// <summary>Gets the raw size of the largest compressed chunk (0 when every chunk is stored uncompressed).</summary>
    public long MaxDecodedChunkBytes { get; }

    /// <summary>Gets the raw size of the largest chunk, compressed or not (0 when there is none).</summary>
    public long MaxRawChunkBytes { get; }

    /// <summary>Gets the stored size of the largest chunk, compressed or not (0 when there is none).</summary>
    public long MaxStoredChunkBytes { get; }

    /// <summary>Gets the stored size of the largest compressed chunk (0 when every chunk is stored uncompressed).</summary>
    public long MaxCompressedChunkBytes { get; }

    /// <summary>Gets the sample count of the largest chunk.</summary>
    public int MaxChunkSamples { get; }

    /// <summary>
    /// Returns the index of the chunks that hold the first <paramref name="samples"/> samples, which must end at a chunk
    /// boundary: the layout of an older generation, whose chunks keep their global numbers here. Size limits are the whole's.
    /// </summary>
    /// <param name="samples">The samples of the older generation.</param>
    /// <param name="rawBytes">Their raw bytes (the older generation's, for Window order's piece size).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> does not end a chunk.</exception>
    public ChunkIndex Prefix(long samples, long rawBytes)
    {
        if (samples == SampleCount)
        {
            return this;
        }

        int chunks = Array.BinarySearch(ChunkStarts, samples);
        return chunks < 0 || samples > SampleCount
            ? throw new ArgumentOutOfRangeException(nameof(samples), samples, "An older generation ends at a chunk boundary of the newer one.")
            : new ChunkIndex(this, chunks, rawBytes);
    }

    /// <summary>Gets the raw (decoded) bytes of all chunks together.</summary>
    public long TotalRawBytes { get; }

    /// <summary>Returns a layout of chunks holding <paramref name="chunkSamples"/> samples, <paramref name="rawBytes"/> raw bytes in all, with no shards behind it.</summary>
    public static ChunkIndex FromCounts(ReadOnlySpan<int> chunkSamples, long rawBytes) => new(chunkSamples, rawBytes);

    public int SamplesIn(int chunk) => (int)(ChunkStarts[chunk + 1] - ChunkStarts[chunk]);

    /// <summary>Returns the global chunk holding global sample <paramref name="sample"/>.</summary>
    public int ChunkOf(long sample) => Floor(ChunkStarts, 0, ChunkShard.Length, sample);

    /// <summary>
    /// Returns the largest s in [<paramref name="from"/>, <paramref name="to"/>) with starts[s] &lt;= value, given
    /// strictly increasing, non-negative starts (chunks are never empty) and starts[from] &lt;= value. Hand-rolled
    /// and branch-free (each step is taken or not by a mask from the sign of value - starts[mid], so a shuffled
    /// order costs no mispredicted branches): the loader runs it once or twice per sample in Window order.
    /// </summary>
    public static int Floor(long[] starts, int from, int to, long value)
    {
        if ((uint)from > (uint)to || (uint)to > (uint)starts.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(to));
        }

        ref long first = ref MemoryMarshal.GetArrayDataReference(starts);
        int lo = from;
        for (int n = to - from; n > 1;)
        {
            int half = n >> 1;

            // All -1 when starts[lo + half] <= value (no overflow: both are sample counts, far below 2^62).
            int take = ~(int)((value - Unsafe.Add(ref first, lo + half)) >> 63);
            lo += half & take;
            n -= half;
        }

        return lo;
    }
}
