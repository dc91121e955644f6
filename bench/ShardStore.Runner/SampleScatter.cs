using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using ShardStore.Format;
using ShardStore.Internals.Memory;

namespace ShardStore.Runner;

/// <summary>
/// Batch memory that a floor measurement copies decoded samples into: every sample of every fixed-width field goes
/// to a random place in a random one of the batches that fit in the given bytes, with streaming stores (the cheapest
/// copy to memory that is not in the cache). Window order shuffles samples across chunks, so every decoded byte of
/// a loader of contiguous <c>[batch, ...]</c> buffers needs that one copy.
/// </summary>
/// <remarks>Thread-safe: each thread draws its places from its own generator.</remarks>
internal sealed unsafe class SampleScatter : IDisposable
{
    private readonly Schema _schema;
    private readonly int[] _widths;
    private readonly long[] _fieldStarts;
    private readonly long _batchBytes;
    private readonly int _batchSize;
    private readonly int _batches;
    private readonly nuint _bytes;
    private readonly ThreadLocal<FieldSection[]> _sections;
    private readonly ThreadLocal<ulong[]> _states;

    // Freed once, by Dispose.
    private byte* _target;

    public SampleScatter(Schema schema, int batchSize, long batchMemory)
    {
        _schema = schema;
        _batchSize = batchSize;
        _widths = [.. schema.Fields.Select(f => f.IsVariable ? 0 : f.BytesPerSample)];
        _fieldStarts = new long[_widths.Length];
        for (int f = 0; f < _widths.Length; f++)
        {
            _fieldStarts[f] = _batchBytes;
            _batchBytes += FormatConstants.AlignUp((long)batchSize * _widths[f], 4096);
        }

        _batches = (int)Math.Max(1, batchMemory / _batchBytes);

        // On 2 MiB pages where Linux allows them, like the loader's slots (SlotArena): the copies miss the TLB no more
        // than the loader's do.
        _bytes = (nuint)(_batches * _batchBytes);
        _target = (byte*)NativeMemory.AlignedAlloc(_bytes, 2 << 20);
        ShardStore.Internals.Memory.MemoryHints.AdviseHugePages(_target, (long)_bytes);
        for (nuint at = 0; at < _bytes; at += 4096)
        {
            // Written once, so that no page is the kernel's shared zero page when the copies start: what the loader's
            // slots cost on their first use, and no more (filling them with random bytes cost the floor half a second).
            _target[at] = 1;
        }

        int fields = _widths.Length;
        _sections = new ThreadLocal<FieldSection[]>(() => new FieldSection[fields]);
        _states = new ThreadLocal<ulong[]>(() => [(ulong)Random.Shared.NextInt64() | 1]);
    }

    /// <summary>Copies every sample of a decoded chunk to its random place.</summary>
    /// <exception cref="InvalidDataException">The chunk's sections do not match the schema.</exception>
    public void Scatter(ChunkEntry chunk, ReadOnlySpan<byte> raw)
    {
        FieldSection[] s = _sections.Value!;
        if (ChunkLayout.TryParse(_schema, chunk.SampleCount, raw, s) is { } problem)
        {
            throw new InvalidDataException(problem);
        }

        ref ulong state = ref _states.Value![0];
        fixed (byte* source = raw)
        {
            for (int i = 0; i < chunk.SampleCount; i++)
            {
                ulong r = SyntheticDataset.Next(ref state);
                long batch = (long)Math.BigMul(r, (ulong)_batches, out _);
                long position = (long)((uint)r % (uint)_batchSize);
                for (int f = 0; f < _widths.Length; f++)
                {
                    long width = _widths[f];
                    byte* to = _target + (batch * _batchBytes) + _fieldStarts[f] + (position * width);
                    NonTemporalCopy.Copy(to, source + s[f].DataOffset + (i * width), width);
                }
            }
        }

        if (Sse.IsSupported)
        {
            Sse.StoreFence();
        }
    }

    public void Dispose()
    {
        if (_target is not null)
        {
            NativeMemory.AlignedFree(_target);
            _target = null;
        }

        _sections.Dispose();
        _states.Dispose();
    }
}
