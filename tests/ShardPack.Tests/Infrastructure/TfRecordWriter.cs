using System.Buffers.Binary;
using System.IO.Compression;
using Google.Protobuf;

namespace ShardPack.Tests.Infrastructure;

/// <summary>Writes TFRecord files of tf.train.Example records, optionally GZIP-compressed, with its own CRC-32C.</summary>
internal sealed class TfRecordWriter : IDisposable
{
    private static readonly uint[] s_table = BuildTable();
    private readonly FileStream _file;
    private readonly Stream _stream;
    private long _offset;

    public TfRecordWriter(string path, bool gzip = false)
    {
        _file = File.Create(path);
        _stream = gzip ? new GZipStream(_file, CompressionLevel.Fastest, leaveOpen: true) : _file;
    }

    /// <summary>Gets the byte offset of each record written, in the uncompressed record stream.</summary>
    public List<long> RecordOffsets { get; } = [];

    /// <summary>Writes one Example; values are float[] (float_list), long[] (int64_list) or byte[][] (bytes_list).</summary>
    public void WriteExample(IEnumerable<KeyValuePair<string, object>> features, bool packed = true) => WriteRecord(EncodeExample(features, packed));

    public void WriteRecord(byte[] data)
    {
        var header = new byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), MaskedCrc(header.AsSpan(0, 8)));
        var footer = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc(data));
        RecordOffsets.Add(_offset);
        _stream.Write(header);
        _stream.Write(data);
        _stream.Write(footer);
        _offset += header.Length + data.Length + footer.Length;
    }

    public static byte[] EncodeExample(IEnumerable<KeyValuePair<string, object>> features, bool packed = true)
    {
        byte[] featuresMessage = Message(o =>
        {
            foreach ((string name, object value) in features)
            {
                byte[] entry = Message(e =>
                {
                    e.WriteTag(1, WireFormat.WireType.LengthDelimited);
                    e.WriteString(name);
                    e.WriteTag(2, WireFormat.WireType.LengthDelimited);
                    e.WriteBytes(ByteString.CopyFrom(EncodeFeature(value, packed)));
                });
                o.WriteTag(1, WireFormat.WireType.LengthDelimited);
                o.WriteBytes(ByteString.CopyFrom(entry));
            }
        });
        return Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(featuresMessage));
        });
    }

    /// <summary>Computes CRC-32C bit by bit from the Castagnoli polynomial, independently of the code under test.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    public static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8);
    }

    public void Dispose()
    {
        if (!ReferenceEquals(_stream, _file))
        {
            _stream.Dispose();
        }

        _file.Dispose();
    }

    private static byte[] EncodeFeature(object value, bool packed)
    {
        (int kind, byte[] list) = value switch
        {
            float[] floats => (2, Message(o =>
            {
                if (packed)
                {
                    o.WriteTag(1, WireFormat.WireType.LengthDelimited);
                    o.WriteLength(floats.Length * 4);
                    foreach (float f in floats)
                    {
                        o.WriteFloat(f);
                    }
                }
                else
                {
                    foreach (float f in floats)
                    {
                        o.WriteTag(1, WireFormat.WireType.Fixed32);
                        o.WriteFloat(f);
                    }
                }
            })),
            long[] longs => (3, Message(o =>
            {
                if (packed)
                {
                    byte[] body = Message(b =>
                    {
                        foreach (long v in longs)
                        {
                            b.WriteInt64(v);
                        }
                    });
                    o.WriteTag(1, WireFormat.WireType.LengthDelimited);
                    o.WriteBytes(ByteString.CopyFrom(body));
                }
                else
                {
                    foreach (long v in longs)
                    {
                        o.WriteTag(1, WireFormat.WireType.Varint);
                        o.WriteInt64(v);
                    }
                }
            })),
            byte[][] values => (1, Message(o =>
            {
                foreach (byte[] v in values)
                {
                    o.WriteTag(1, WireFormat.WireType.LengthDelimited);
                    o.WriteBytes(ByteString.CopyFrom(v));
                }
            })),
            _ => throw new ArgumentException($"Unsupported feature value {value.GetType()}.", nameof(value)),
        };
        return Message(o =>
        {
            o.WriteTag(kind, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(list));
        });
    }

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var memory = new MemoryStream();
        using (var output = new CodedOutputStream(memory, leaveOpen: true))
        {
            write(output);
        }

        return memory.ToArray();
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0x82F63B78 ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }

    /// <summary>
    /// Damages the record at <paramref name="offset"/> of a file's <paramref name="bytes"/>: "length" flips a bit of its
    /// length CRC, "data" a bit of its data, anything else cuts the file 20 bytes into the record.
    /// </summary>
    public static byte[] Corrupt(byte[] bytes, long offset, string corruption)
    {
        switch (corruption)
        {
            case "length":
                bytes[offset + 9] ^= 0x40;
                return bytes;
            case "data":
                bytes[offset + 12 + 5] ^= 0x01;
                return bytes;
            default:
                return bytes[..(int)(offset + 20)];
        }
    }
}
