using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using ShardStore.Benchmarks.Infrastructure;
using ShardStore.Internals.Integrity;

namespace ShardStore.Benchmarks;

/// <summary>
/// CRC32C of one chunk-sized (4 MiB) buffer: ShardStore's three-stream <see cref="Crc32C.Compute"/> against a
/// single dependency chain of the same instruction, with a memcpy of the same bytes as the baseline.
/// </summary>
/// <remarks>
/// The single-stream loop is limited by the crc32 instruction's latency, the three-stream one by its throughput;
/// their ratio says whether the stripe combining pays for itself. The memcpy baseline reads and writes 4 MiB,
/// the CRCs only read it, so a CRC ratio near or below 1 means checksumming costs no more than one copy.
/// </remarks>
[MemoryDiagnoser]
[BenchmarkCategory(BenchmarkCategories.Crc32C)]
[Throughput(BufferBytes)]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 20)]
public class Crc32CBenchmarks
{
    private const int BufferBytes = 4 << 20;

    private byte[] _data = [];
    private byte[] _copy = [];

    [GlobalSetup]
    public void Setup()
    {
        _data = GC.AllocateUninitializedArray<byte>(BufferBytes, pinned: true);
        new Random(42).NextBytes(_data);
        _copy = GC.AllocateUninitializedArray<byte>(BufferBytes, pinned: true);
        if (Crc32C.Compute(_data) != SingleStream(_data))
        {
            throw new InvalidOperationException("Benchmark setup: the single-stream CRC32C disagrees with Crc32C.Compute.");
        }
    }

    /// <summary>Copies the 4 MiB buffer: the cost of touching the bytes once.</summary>
    [Benchmark(Baseline = true)]
    public byte MemoryCopy()
    {
        _data.AsSpan().CopyTo(_copy);
        return _copy[^1];
    }

    /// <summary>ShardStore's CRC32C: three interleaved 4 KiB stripes, combined by carry-less multiplication.</summary>
    [Benchmark]
    public uint Crc32CThreeStream() => Crc32C.Compute(_data);

    /// <summary>The straightforward loop: one crc32 instruction per 8 bytes, each waiting for the previous.</summary>
    [Benchmark]
    public uint Crc32CSingleStream() => SingleStream(_data);

    private static uint SingleStream(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        ref byte p = ref MemoryMarshal.GetReference(data);
        int i = 0;
        for (; i <= data.Length - sizeof(ulong); i += sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
        }

        for (; i < data.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, Unsafe.Add(ref p, i));
        }

        return ~crc;
    }
}
