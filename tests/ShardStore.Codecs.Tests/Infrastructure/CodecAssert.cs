using System.Collections.Concurrent;
using ShardStore.Compression;

namespace ShardStore.Codecs.Tests.Infrastructure;

/// <summary>Checks shared by the tests of every codec.</summary>
internal static class CodecAssert
{
    private const int GuardLength = 64;
    private const byte Canary = 0xA5;

    /// <summary>Encodes into a bound-sized buffer, decodes into an exactly sized one, and returns the encoded bytes.</summary>
    internal static byte[] RoundTrips(ChunkCodec codec, byte[] input, int level)
    {
        int bound = codec.GetMaxEncodedLength(input.Length);
        byte[] encoded = new byte[bound];
        Assert.IsTrue(codec.TryEncode(input, encoded, level, out int encodedLength), "TryEncode failed with a destination of GetMaxEncodedLength bytes.");
        Assert.IsInRange(1, bound, encodedLength);

        byte[] decoded = new byte[input.Length];
        Assert.IsTrue(codec.TryDecode(encoded.AsSpan(0, encodedLength), decoded, out int decodedLength), "TryDecode rejected the codec's own output.");
        Assert.AreEqual(input.Length, decodedLength);
        BytesEqual(input, decoded);
        return encoded[..encodedLength];
    }

    internal static void BytesEqual(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        Assert.AreEqual(expected.Length, actual.Length, "Lengths differ.");
        int common = expected.CommonPrefixLength(actual);
        Assert.AreEqual(expected.Length, common, $"First difference at byte {common}.");
    }

    /// <summary>Decodes into the middle of a larger buffer and fails if anything around the destination changed.</summary>
    internal static (bool Succeeded, int BytesWritten) DecodeGuarded(ChunkCodec codec, ReadOnlySpan<byte> encoded, int destinationLength)
    {
        byte[] buffer = new byte[destinationLength + (2 * GuardLength)];
        buffer.AsSpan().Fill(Canary);
        bool succeeded = codec.TryDecode(encoded, buffer.AsSpan(GuardLength, destinationLength), out int bytesWritten);
        Assert.IsFalse(buffer.AsSpan(0, GuardLength).ContainsAnyExcept(Canary), "TryDecode wrote before the destination.");
        Assert.IsFalse(buffer.AsSpan(GuardLength + destinationLength).ContainsAnyExcept(Canary), "TryDecode wrote after the destination.");
        if (succeeded)
        {
            Assert.IsInRange(0, destinationLength, bytesWritten);
        }

        return (succeeded, bytesWritten);
    }

    /// <summary>Every strict prefix of a valid encoding must fail or decode to a different length.</summary>
    internal static void RejectsEveryTruncation(ChunkCodec codec, byte[] input, int level)
    {
        byte[] encoded = RoundTrips(codec, input, level);
        for (int length = 0; length < encoded.Length; length++)
        {
            (bool succeeded, int bytesWritten) = DecodeGuarded(codec, encoded.AsSpan(0, length), input.Length);
            Assert.IsFalse(succeeded && bytesWritten == input.Length, $"A {length}-byte prefix of {encoded.Length} decoded as if complete.");
        }
    }

    /// <summary>Flips every bit of a valid encoding in turn; decoding must stay inside the destination.</summary>
    /// <returns>How many of the corrupted inputs were rejected.</returns>
    internal static int SurvivesEveryBitFlip(ChunkCodec codec, byte[] input, int level)
    {
        byte[] encoded = RoundTrips(codec, input, level);
        int rejected = 0;
        for (int bit = 0; bit < encoded.Length * 8; bit++)
        {
            encoded[bit / 8] ^= (byte)(1 << (bit % 8));
            if (!DecodeGuarded(codec, encoded, input.Length).Succeeded)
            {
                rejected++;
            }

            encoded[bit / 8] ^= (byte)(1 << (bit % 8));
        }

        return rejected;
    }

    /// <summary>Decodes random bytes of many lengths; decoding must stay inside the destination.</summary>
    /// <returns>How many of the garbage inputs were rejected.</returns>
    internal static int SurvivesGarbage(ChunkCodec codec, int attempts)
    {
        var random = new Random(7);
        int rejected = 0;
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            byte[] garbage = TestData.Incompressible(random.Next(1, 2048), seed: attempt);
            if (!DecodeGuarded(codec, garbage, random.Next(0, 1 << 16)).Succeeded)
            {
                rejected++;
            }
        }

        return rejected;
    }

    /// <summary>Runs round trips of distinct inputs on many dedicated threads at once and fails on any wrong result.</summary>
    internal static void RoundTripsOnManyThreads(ChunkCodec codec, int level)
    {
        const int ThreadCount = 16;
        const int Iterations = 25;
        var failures = new ConcurrentQueue<string>();
        using var start = new ManualResetEventSlim();
        var threads = new Thread[ThreadCount];
        for (int t = 0; t < ThreadCount; t++)
        {
            int seed = t;
            threads[t] = new Thread(() =>
            {
                start.Wait();
                var random = new Random(seed);
                for (int i = 0; i < Iterations; i++)
                {
                    try
                    {
                        byte[] input = TestData.Create(random.Next(0, 256 * 1024), compressible: i % 3 != 0, seed: (seed * 1000) + i);
                        byte[] encoded = new byte[codec.GetMaxEncodedLength(input.Length)];
                        byte[] decoded = new byte[input.Length];
                        if (!codec.TryEncode(input, encoded, level, out int encodedLength)
                            || !codec.TryDecode(encoded.AsSpan(0, encodedLength), decoded, out int decodedLength)
                            || decodedLength != input.Length
                            || !decoded.AsSpan().SequenceEqual(input))
                        {
                            failures.Enqueue($"thread {seed}, iteration {i}: wrong round trip of {input.Length} bytes");
                        }
                    }
                    catch (Exception e)
                    {
                        failures.Enqueue($"thread {seed}, iteration {i}: {e}");
                    }
                }
            });
            threads[t].Start();
        }

        start.Set();
        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.IsEmpty(failures, string.Join(Environment.NewLine, failures));
    }
}
