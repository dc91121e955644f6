using System.Buffers.Binary;

namespace ShardStore.Images.Tests.Infrastructure;

/// <summary>Edits encoded images in place: header fields of JPEG and PNG, with PNG chunk CRCs kept valid.</summary>
internal static class ImageBytes
{
    /// <summary>Returns the offset of the JPEG's first SOF0/SOF1/SOF2 marker (its FF byte).</summary>
    public static int FindJpegFrameHeader(byte[] jpeg)
    {
        for (int i = 2; i + 1 < jpeg.Length; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] is 0xC0 or 0xC1 or 0xC2)
            {
                return i;
            }
        }

        throw new AssertFailedException("no SOF marker in the JPEG fixture");
    }

    /// <summary>Returns a copy of <paramref name="jpeg"/> whose frame header declares <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static byte[] WithJpegSize(byte[] jpeg, int width, int height)
    {
        byte[] copy = [.. jpeg];
        int sof = FindJpegFrameHeader(copy);
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(sof + 5), (ushort)height);
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(sof + 7), (ushort)width);
        return copy;
    }

    /// <summary>Returns a copy of <paramref name="png"/> whose IHDR declares <paramref name="width"/> x <paramref name="height"/>, with a valid CRC.</summary>
    public static byte[] WithPngSize(byte[] png, uint width, uint height)
    {
        byte[] copy = [.. png];
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(16), width);
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(20), height);
        FixPngCrcs(copy);
        return copy;
    }

    /// <summary>Recomputes the CRC of every complete chunk, so a mutation reaches the decoder instead of stopping at the CRC check.</summary>
    public static void FixPngCrcs(byte[] png)
    {
        int p = 8;
        while (p + 12 <= png.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(p));
            if (length > (uint)(png.Length - p - 12))
            {
                return;
            }

            uint crc = Crc32(png.AsSpan(p + 4, (int)length + 4));
            BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(p + 8 + (int)length), crc);
            p += 12 + (int)length;
        }
    }

    /// <summary>Returns the offset and length of the first IDAT chunk's data.</summary>
    public static (int Offset, int Length) FindIdat(byte[] png)
    {
        int p = 8;
        while (p + 12 <= png.Length)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(p));
            if (png.AsSpan(p + 4, 4).SequenceEqual("IDAT"u8))
            {
                return (p + 8, length);
            }

            p += 12 + length;
        }

        throw new AssertFailedException("no IDAT chunk in the PNG fixture");
    }

    // The CRC-32 of PNG (ISO 3309, reflected polynomial 0xEDB88320), bit by bit: fixtures are small.
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
