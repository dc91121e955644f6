using System.Runtime.InteropServices;
using ShardStore.Internals.Memory;

namespace ShardStore.Tests.Internals.Memory;

[TestClass]
public sealed class NonTemporalCopyTests
{
    [TestMethod]
    public unsafe void Copy_EveryAlignmentAndLengthAroundTheThresholds_CopiesExactlyTheBytes()
    {
        const int Size = 8192;
        byte* source = (byte*)NativeMemory.AlignedAlloc(Size, 64);
        byte* destination = (byte*)NativeMemory.AlignedAlloc(Size, 64);
        try
        {
            for (int i = 0; i < Size; i++)
            {
                source[i] = (byte)((i * 7) + 3);
            }

            int[] lengths = [0, 1, 31, 511, 512, 513, 640, 1000, 3136, 4095, 4096, 4097];
            foreach (int length in lengths)
            {
                for (int destinationOffset = 0; destinationOffset < 40; destinationOffset += 3)
                {
                    for (int sourceOffset = 0; sourceOffset < 36; sourceOffset += 5)
                    {
                        new Span<byte>(destination, Size).Fill(0xEE);
                        NonTemporalCopy.Copy(destination + destinationOffset, source + sourceOffset, length);
                        if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
                        {
                            System.Runtime.Intrinsics.X86.Sse.StoreFence();
                        }

                        var expected = new ReadOnlySpan<byte>(source + sourceOffset, length);
                        var actual = new ReadOnlySpan<byte>(destination + destinationOffset, length);
                        Assert.IsTrue(expected.SequenceEqual(actual), $"length {length}, destination +{destinationOffset}, source +{sourceOffset}: bytes");
                        Assert.AreEqual(-1, new ReadOnlySpan<byte>(destination, destinationOffset).IndexOfAnyExcept((byte)0xEE), "bytes before the destination untouched");
                        Assert.AreEqual(-1, new ReadOnlySpan<byte>(destination + destinationOffset + length, Size - destinationOffset - length).IndexOfAnyExcept((byte)0xEE), "bytes after the destination untouched");
                    }
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(source);
            NativeMemory.AlignedFree(destination);
        }
    }
}
