using System.Runtime.Intrinsics.X86;

namespace ShardStore.Internals.Memory;

/// <summary>
/// Copies into memory that will not be read again soon by this core (batch slots filled by scatter) with
/// streaming stores, which skip reading the destination's cache lines first and leave the cache to the
/// decoder. Callers must issue <see cref="Sse.StoreFence"/> before another thread reads the data.
/// </summary>
internal static unsafe class NonTemporalCopy
{
    /// <summary>Copies shorter than this use ordinary stores: too short to pay for the alignment head and tail.</summary>
    public const long Threshold = 512;

    public static void Copy(byte* destination, byte* source, long length)
    {
        if (length < Threshold || !Avx.IsSupported)
        {
            Buffer.MemoryCopy(source, destination, length, length);
            return;
        }

        long head = -(long)destination & 31;
        if (head != 0)
        {
            Buffer.MemoryCopy(source, destination, head, head);
            destination += head;
            source += head;
            length -= head;
        }
        long unrolled = length & ~127L;
        long i = 0;
        for (; i < unrolled; i += 128)
        {
            Avx.StoreAlignedNonTemporal(destination + i, Avx.LoadVector256(source + i));
            Avx.StoreAlignedNonTemporal(destination + i + 32, Avx.LoadVector256(source + i + 32));
            Avx.StoreAlignedNonTemporal(destination + i + 64, Avx.LoadVector256(source + i + 64));
            Avx.StoreAlignedNonTemporal(destination + i + 96, Avx.LoadVector256(source + i + 96));
        }

        // Whole 32-byte blocks after that: an ordinary store into a line not in the cache would first read the
        // line from memory, so keep the ordinary tail under 32 bytes.
        long body = length & ~31L;
        for (; i < body; i += 32)
        {
            Avx.StoreAlignedNonTemporal(destination + i, Avx.LoadVector256(source + i));
        }

        if (body != length)
        {
            Buffer.MemoryCopy(source + body, destination + body, length - body, length - body);
        }
    }
}
