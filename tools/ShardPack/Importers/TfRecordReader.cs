using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;

namespace ShardPack.Importers;

/// <summary>
/// Reads the records of a TFRecord file (u64 length, masked CRC32C of the length, data, masked CRC32C of the data),
/// checking both CRCs; a file that starts with the GZIP magic is read through <see cref="GZipStream"/>.
/// </summary>
internal sealed class TfRecordReader : IDisposable
{
    /// <summary>The longest record accepted, so that a corrupt length cannot make the reader allocate without bound.</summary>
    public const int MaxRecordBytes = 1 << 30;

    private const uint MaskDelta = 0xa282ead8;

    private readonly string _path;
    private readonly FileStream _file;
    private readonly Stream _stream;
    private readonly byte[] _header = new byte[12];
    private byte[] _buffer = new byte[4096];
    private long _offset;

    public TfRecordReader(string path)
    {
        _path = path;
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        Span<byte> magic = stackalloc byte[2];
        int read = _file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        _file.Position = 0;
        IsCompressed = read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        _stream = IsCompressed ? new GZipStream(_file, CompressionMode.Decompress, leaveOpen: true) : _file;
    }

    /// <summary>Gets whether the file is GZIP-compressed.</summary>
    public bool IsCompressed { get; }

    /// <summary>Gets the bytes of the file consumed so far (compressed bytes for a GZIP file).</summary>
    public long FilePosition => _file.Position;

    /// <summary>Gets the file's length in bytes.</summary>
    public long FileLength => _file.Length;

    /// <summary>Gets the 0-based number of the record last returned, or -1 before the first.</summary>
    public long RecordNumber { get; private set; } = -1;

    /// <summary>Gets the byte offset of the record last returned, in the (decompressed) record stream.</summary>
    public long RecordOffset { get; private set; }

    /// <summary>Computes the standard CRC-32C (Castagnoli) of <paramref name="data"/>.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }

    /// <summary>Returns the TFRecord mask of a CRC: rotated right by 15 bits plus a constant.</summary>
    public static uint Mask(uint crc) => unchecked(((crc >> 15) | (crc << 17)) + MaskDelta);

    /// <summary>Reads the next record; its bytes stay valid until the next call.</summary>
    /// <returns><see langword="false"/> at the end of the file.</returns>
    /// <exception cref="InvalidDataException">A truncated record, a bad CRC, or a length above <see cref="MaxRecordBytes"/>.</exception>
    public bool TryReadNext(out ReadOnlySpan<byte> record)
    {
        record = default;
        long number = RecordNumber + 1, offset = _offset;
        int got = Read(_header, number, offset);
        if (got == 0)
        {
            return false;
        }

        if (got < _header.Length)
        {
            throw Error($"truncated record: the file ends {got} bytes into its 12-byte header.", number, offset);
        }

        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(_header);
        uint lengthCrc = BinaryPrimitives.ReadUInt32LittleEndian(_header.AsSpan(8));
        if (Mask(Crc32C(_header.AsSpan(0, 8))) != lengthCrc)
        {
            throw Error($"the CRC of the record length does not match (stored 0x{lengthCrc:x8}); the file is corrupt or not TFRecord.", number, offset);
        }

        if (length > MaxRecordBytes)
        {
            throw Error($"the record is {length} bytes, more than the {MaxRecordBytes}-byte limit.", number, offset);
        }

        int total = (int)length + 4;
        if (!IsCompressed && total > _file.Length - _file.Position)
        {
            throw Error($"truncated record: it needs {length} data bytes and a 4-byte CRC but the file has {_file.Length - _file.Position} bytes left.", number, offset);
        }

        if (_buffer.Length < total)
        {
            _buffer = new byte[Math.Max(total, (int)Math.Min(_buffer.Length * 2L, MaxRecordBytes + 4L))];
        }

        got = Read(_buffer.AsSpan(0, total), number, offset);
        if (got < total)
        {
            throw Error($"truncated record: it needs {length} data bytes and a 4-byte CRC but the file ends after {got}.", number, offset);
        }

        uint dataCrc = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan((int)length));
        if (Mask(Crc32C(_buffer.AsSpan(0, (int)length))) != dataCrc)
        {
            throw Error($"the CRC of the record data does not match (stored 0x{dataCrc:x8}); the file is corrupt.", number, offset);
        }

        _offset += _header.Length + total;
        RecordNumber = number;
        RecordOffset = offset;
        record = _buffer.AsSpan(0, (int)length);
        return true;
    }

    /// <summary>Gets the buffer that holds the record last returned, from index 0.</summary>
    public byte[] Buffer => _buffer;

    public void Dispose()
    {
        if (!ReferenceEquals(_stream, _file))
        {
            _stream.Dispose();
        }

        _file.Dispose();
    }

    private int Read(Span<byte> destination, long number, long offset)
    {
        try
        {
            return _stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw Error($"the GZIP stream is corrupt: {e.Message}", number, offset, e);
        }
    }

    private InvalidDataException Error(string problem, long number, long offset, Exception? inner = null) =>
        DataErrors.Create(problem, _path, byteOffset: offset, record: number, innerException: inner);
}
