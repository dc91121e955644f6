using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using ShardPack.Importers.Internals;

namespace ShardPack.Importers;

/// <summary>
/// Reads the records of a TFRecord file (u64 length, masked CRC32C of the length, data, masked CRC32C of the data),
/// checking both CRCs; a file that starts with the GZIP magic is read through <see cref="GZipStream"/>. An
/// uncompressed file can also be indexed and read record by record at any position (<c>TfRecordReader.Positioned.cs</c>).
/// </summary>
internal sealed partial class TfRecordReader : IDisposable
{
    private const uint MaskDelta = 0xa282ead8;

    // The buffer grows from here as record bytes actually arrive, never to a length the header merely declares.
    private const int GrowthStepBytes = 1 << 20;

    private readonly string _path;
    private readonly FileStream _file;
    private readonly Stream _stream;
    private readonly byte[] _header = new byte[12];
    private byte[] _buffer = new byte[4096];
    private long _offset;

    /// <summary>Opens <paramref name="path"/>; a record longer than <paramref name="maxRecordBytes"/> is an error.</summary>
    /// <exception cref="InvalidDataException">The path is not a regular file.</exception>
    public TfRecordReader(string path, int maxRecordBytes = InputLimits.DefaultMaxRecordBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecordBytes, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxRecordBytes, Array.MaxLength - 4);
        _path = path;
        MaxRecordBytes = maxRecordBytes;
        _file = InputFile.Open(path, 1 << 16);
        try
        {
            Span<byte> magic = stackalloc byte[2];
            int read = _file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            _file.Position = 0;
            IsCompressed = read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
            _stream = IsCompressed ? new GZipStream(_file, CompressionMode.Decompress, leaveOpen: true) : _file;
        }
        catch
        {
            _file.Dispose();
            throw;
        }
    }

    /// <summary>Gets the longest record accepted, so that a corrupt length cannot make the reader allocate without bound.</summary>
    public int MaxRecordBytes { get; }

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
            throw Error($"truncated record {number}: the file ends {got} bytes into its 12-byte header.", number, offset);
        }

        int length = CheckHeader(_header, number, offset);
        int total = length + 4;
        if (!IsCompressed && total > _file.Length - _file.Position)
        {
            throw Error($"truncated record {number}: it needs {length} data bytes and a 4-byte CRC but the file has {_file.Length - _file.Position} bytes left.", number, offset);
        }

        got = ReadGrowing(total, number, offset);
        if (got < total)
        {
            throw Error($"truncated record {number}: it needs {length} data bytes and a 4-byte CRC but the file ends after {got}.", number, offset);
        }

        CheckData(length, number, offset);
        _offset += _header.Length + total;
        RecordNumber = number;
        RecordOffset = offset;
        record = _buffer.AsSpan(0, length);
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

    // Returns the data length a 12-byte record header declares, once its CRC and the length limit are checked.
    private int CheckHeader(ReadOnlySpan<byte> header, long number, long offset)
    {
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(header);
        uint lengthCrc = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (Mask(Crc32C(header[..8])) != lengthCrc)
        {
            throw Error($"the CRC of the record length does not match (stored 0x{lengthCrc:x8}); the file is corrupt or not TFRecord.", number, offset);
        }

        if (length > (ulong)MaxRecordBytes)
        {
            throw Error($"the record declares {length} bytes, more than the {MaxRecordBytes}-byte limit; the file is corrupt, or raise --max-record-bytes.", number, offset);
        }

        return (int)length;
    }

    // Checks the CRC of the record data in _buffer[..length], followed by its stored CRC.
    private void CheckData(int length, long number, long offset)
    {
        uint dataCrc = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(length));
        if (Mask(Crc32C(_buffer.AsSpan(0, length))) != dataCrc)
        {
            throw Error($"the CRC of the record data does not match (stored 0x{dataCrc:x8}); the file is corrupt.", number, offset);
        }
    }

    // Reads up to total bytes into _buffer from index 0, growing it only by what has arrived, and returns the count read.
    private int ReadGrowing(int total, long number, long offset)
    {
        int got = 0;
        while (got < total)
        {
            if (got == _buffer.Length)
            {
                int grown = (int)Math.Min(total, Math.Max(_buffer.Length * 2L, GrowthStepBytes));
                Array.Resize(ref _buffer, grown);
            }

            int want = Math.Min(total, _buffer.Length) - got;
            int read = Read(_buffer.AsSpan(got, want), number, offset);
            got += read;
            if (read < want)
            {
                break;
            }
        }

        return got;
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
