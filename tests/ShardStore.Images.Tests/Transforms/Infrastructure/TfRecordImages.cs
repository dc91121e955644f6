using System.Buffers.Binary;
using System.Text;

namespace ShardStore.Images.Tests.Transforms.Infrastructure;

/// <summary>Writes a TFRecord file of tf.train.Example records {image: bytes, label: int64}, the layout of encoded-image TFRecords.</summary>
internal static class TfRecordImages
{
    public static void Write(string path, IReadOnlyList<byte[]> images)
    {
        using FileStream file = File.Create(path);
        Span<byte> header = stackalloc byte[12];
        Span<byte> footer = stackalloc byte[4];
        for (int i = 0; i < images.Count; i++)
        {
            byte[] record = Example(("image", BytesFeature(images[i])), ("label", Int64Feature(i * 7L)));
            BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)record.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc(header[..8]));
            BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc(record));
            file.Write(header);
            file.Write(record);
            file.Write(footer);
        }
    }

    // Example { Features features = 1 }; Features { map<string, Feature> feature = 1 }; Feature { BytesList bytes_list = 1;
    // Int64List int64_list = 3 }; BytesList { repeated bytes value = 1 }; Int64List { repeated int64 value = 1 [packed] }.
    private static byte[] Example(params (string Name, byte[] Feature)[] features)
    {
        var map = new MemoryStream();
        foreach ((string name, byte[] feature) in features)
        {
            var entry = new MemoryStream();
            Field(entry, 1, Encoding.UTF8.GetBytes(name));
            Field(entry, 2, feature);
            Field(map, 1, entry.ToArray());
        }

        var example = new MemoryStream();
        Field(example, 1, map.ToArray());
        return example.ToArray();
    }

    private static byte[] BytesFeature(byte[] value)
    {
        var list = new MemoryStream();
        Field(list, 1, value);
        var feature = new MemoryStream();
        Field(feature, 1, list.ToArray());
        return feature.ToArray();
    }

    private static byte[] Int64Feature(long value)
    {
        var packed = new MemoryStream();
        Varint(packed, (ulong)value);
        var list = new MemoryStream();
        Field(list, 1, packed.ToArray());
        var feature = new MemoryStream();
        Field(feature, 3, list.ToArray());
        return feature.ToArray();
    }

    private static void Field(MemoryStream to, int number, byte[] body)
    {
        Varint(to, ((ulong)number << 3) | 2);
        Varint(to, (ulong)body.Length);
        to.Write(body);
    }

    private static void Varint(MemoryStream to, ulong value)
    {
        while (value >= 0x80)
        {
            to.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        to.WriteByte((byte)value);
    }

    private static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0x82F63B78 ^ (crc >> 1) : crc >> 1;
            }
        }

        crc = ~crc;
        return unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8);
    }
}
