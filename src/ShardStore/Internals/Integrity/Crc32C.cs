using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ShardStore.Internals.Integrity;

/// <summary>CRC32C (Castagnoli) with the hardware instruction, three independent streams per block.</summary>
/// <remarks>
/// The crc32 instruction has a latency of about three cycles and a throughput of one per cycle, so a
/// single dependency chain runs at a third of the possible speed. Large inputs are cut into blocks of
/// three equal stripes whose CRCs run in parallel and are then combined by multiplying with
/// x^(8*stripe) modulo the polynomial (the same algebra zlib's crc32_combine uses).
/// </remarks>
internal static class Crc32C
{
    private const int StripeBytes = 4096;
    private const uint ReflectedPolynomial = 0x82F63B78;
    private static readonly uint s_stripeShift = PowerOfX(8L * StripeBytes);

    /// <summary>Returns the standard CRC32C (initial value and final xor 0xFFFFFFFF) of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(0xFFFFFFFFu, data);

    /// <summary>Continues a raw CRC register (no pre/post conditioning) over <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        ref byte p = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        nuint offset = 0;

        const nuint Block = 3 * StripeBytes;
        while (length - offset >= Block)
        {
            uint c0 = crc, c1 = 0, c2 = 0;
            ref byte s0 = ref Unsafe.Add(ref p, offset);
            ref byte s1 = ref Unsafe.Add(ref s0, StripeBytes);
            ref byte s2 = ref Unsafe.Add(ref s1, StripeBytes);
            for (nuint i = 0; i < StripeBytes; i += 8)
            {
                c0 = BitOperations.Crc32C(c0, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref s0, i)));
                c1 = BitOperations.Crc32C(c1, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref s1, i)));
                c2 = BitOperations.Crc32C(c2, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref s2, i)));
            }

            crc = MultiplyModP(s_stripeShift, MultiplyModP(s_stripeShift, c0) ^ c1) ^ c2;
            offset += Block;
        }

        while (length - offset >= 8)
        {
            crc = BitOperations.Crc32C(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, offset)));
            offset += 8;
        }

        while (offset < length)
        {
            crc = BitOperations.Crc32C(crc, Unsafe.Add(ref p, offset));
            offset++;
        }

        return crc;
    }

    // a * b modulo the CRC polynomial, both in the reflected bit order the register uses.
    private static uint MultiplyModP(uint a, uint b)
    {
        uint product = 0;
        for (uint m = 1u << 31; m != 0; m >>= 1)
        {
            if ((a & m) != 0)
            {
                product ^= b;
            }

            b = (b & 1) != 0 ? (b >> 1) ^ ReflectedPolynomial : b >> 1;
        }

        return product;
    }

    // x^n modulo the polynomial, by square-and-multiply; x^0 is 0x80000000 in reflected order.
    private static uint PowerOfX(long n)
    {
        uint result = 1u << 31;
        uint square = 1u << 30; // x^1
        while (n != 0)
        {
            if ((n & 1) != 0)
            {
                result = MultiplyModP(square, result);
            }

            square = MultiplyModP(square, square);
            n >>= 1;
        }

        return result;
    }
}
