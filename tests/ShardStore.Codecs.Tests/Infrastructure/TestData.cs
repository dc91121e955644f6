using System.Buffers.Binary;
using System.Text;

namespace ShardStore.Codecs.Tests.Infrastructure;

/// <summary>Deterministic inputs for codec tests.</summary>
internal static class TestData
{
    private static readonly byte[][] s_words =
        [.. "the label image token float tensor shard chunk sample epoch batch 0.125 -3.5e-2 cat dog\n"
            .Split(' ')
            .Select(word => Encoding.ASCII.GetBytes(word + " "))];

    /// <summary>Returns compressible or incompressible bytes of the given length, the same for the same seed.</summary>
    internal static byte[] Create(int length, bool compressible, int seed = 1) =>
        compressible ? Compressible(length, seed) : Incompressible(length, seed);

    /// <summary>Text-like words interleaved with small little-endian integers, roughly what packed samples look like.</summary>
    internal static byte[] Compressible(int length, int seed = 1)
    {
        var random = new Random(seed);
        byte[] data = new byte[length];
        int position = 0;
        while (position < length)
        {
            Span<byte> rest = data.AsSpan(position);
            if (random.Next(4) == 0 && rest.Length >= sizeof(int))
            {
                BinaryPrimitives.WriteInt32LittleEndian(rest, random.Next(1000));
                position += sizeof(int);
            }
            else
            {
                byte[] word = s_words[random.Next(s_words.Length)];
                int count = Math.Min(word.Length, rest.Length);
                word.AsSpan(0, count).CopyTo(rest);
                position += count;
            }
        }

        return data;
    }

    /// <summary>Uniformly random bytes, which no codec can shrink.</summary>
    internal static byte[] Incompressible(int length, int seed = 1)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
