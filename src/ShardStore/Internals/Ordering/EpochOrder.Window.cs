using System.Buffers;

namespace ShardStore.Internals.Ordering;

/// <summary>Window order's pieces: which window reads which pieces of which chunk (see <see cref="WindowShape"/>).</summary>
internal sealed partial class EpochOrder
{
    // Window order: find each window the run crosses once and where its group's pieces start in it, then permute
    // inside the window and find the permuted sample's place among the group's pieces.
    private void WindowFillRun(int partition, long local, Span<long> destination, Span<int> chunks)
    {
        long[] starts = _windowStarts![partition];
        int[] schedule = _schedule!;
        long[] chunkStarts = _layout.ChunkStarts;
        int pieceSamples = _shape.PieceSamples;
        long g = local;
        long[]? rented = null;
        try
        {
            for (int i = 0; i < destination.Length;)
            {
                int w = UpperBound(starts, 0, starts.Length - 1, g);
                (int groupFirst, int groupLength, int k, int j) = WindowPlace(partition, w);
                if (rented is null || rented.Length < groupLength + 1)
                {
                    if (rented is not null)
                    {
                        ArrayPool<long>.Shared.Return(rented);
                    }

                    rented = ArrayPool<long>.Shared.Rent(groupLength + 1);
                }

                // Where each chunk's share of this window starts, in window-local positions.
                long[] pieces = rented;
                pieces[0] = 0;
                for (int slot = 0; slot < groupLength; slot++)
                {
                    pieces[slot + 1] = pieces[slot] + PieceRunSamples(_layout.SamplesIn(schedule[groupFirst + slot]), FirstPiece(j, slot, k), k);
                }

                long offset = starts[w];
                IndexPermutation permutation = _windowPermutations![partition][w];
                int run = (int)Math.Min(destination.Length - i, starts[w + 1] - g);
                Span<long> part = destination.Slice(i, run);
                Span<int> partChunks = chunks.IsEmpty ? default : chunks.Slice(i, run);
                for (int n = 0; n < part.Length; n++)
                {
                    long permuted = permutation.Apply(g - offset + n);
                    int slot = UpperBound(pieces, 0, groupLength, permuted);
                    long t = permuted - pieces[slot];
                    long piece = FirstPiece(j, slot, k) + ((t / pieceSamples) * k);
                    int chunk = schedule[groupFirst + slot];
                    part[n] = chunkStarts[chunk] + (piece * pieceSamples) + (t % pieceSamples);
                    if (!partChunks.IsEmpty)
                    {
                        partChunks[n] = chunk;
                    }
                }

                i += run;
                g += run;
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<long>.Shared.Return(rented);
            }
        }
    }

    // Window w of a partition: its group's first schedule slot and chunk count, the group's window count k, and w's index j in it.
    private (int GroupFirst, int GroupLength, int K, int J) WindowPlace(int partition, int w)
    {
        int group = w / _shape.Spread;
        int groupChunks = _shape.GroupChunks;
        int first = _partChunkStart[partition] + (group * groupChunks);
        int length = Math.Min(groupChunks, _partChunkStart[partition + 1] - first);
        int k = length == groupChunks ? _shape.Spread : (length + _shape.WindowChunks - 1) / _shape.WindowChunks;
        return (first, length, k, w - (group * _shape.Spread));
    }

    // The first window of the group that holds the chunk.
    private int GroupFirstWindow(int partition, int chunk) =>
        (_schedulePosition![chunk] - _partChunkStart[partition]) / _shape.GroupChunks * _shape.Spread;

    // The first piece that the chunk at place `slot` of its group gives window j: pieces go round the group's k windows from (slot mod k).
    private static int FirstPiece(int j, int slot, int k) => (int)((((long)j - slot) % k + k) % k);

    // The samples of pieces first, first + k, first + 2k, ... of a chunk of n samples (only its last piece may be short).
    private long PieceRunSamples(int n, int first, int k)
    {
        int s = _shape.PieceSamples;
        long pieces = ((long)n + s - 1) / s;
        if (first >= pieces)
        {
            return 0;
        }

        long count = ((pieces - 1 - first) / k) + 1;
        long samples = count * s;
        return first + ((count - 1) * k) == pieces - 1 ? samples - ((pieces * s) - n) : samples;
    }

    // The largest index in [from, to) whose start is at most value, over non-decreasing starts with starts[from] <= value.
    private static int UpperBound(long[] starts, int from, int to, long value)
    {
        int lo = from;
        int hi = to - 1;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo + 1) >> 1);
            if (starts[mid] <= value)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }
}
