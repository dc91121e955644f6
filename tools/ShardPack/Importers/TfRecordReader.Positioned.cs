using ShardPack.Importers.Internals;

namespace ShardPack.Importers;

/// <content>
/// Records read at any position, for <c>--shuffle-seed</c>: <see cref="IndexRecords"/> walks the headers of an
/// uncompressed file (checking each length's CRC, the length limit and that the record fits the file), and
/// <see cref="ReadAt"/> reads one record where the walk found it, checking its framing and both CRCs again.
/// </content>
internal sealed partial class TfRecordReader
{
    private const int HeaderBytes = 12;

    /// <summary>Returns where every record of the file lies, in file order; record <c>i</c> of the index is record number <c>i</c>.</summary>
    /// <exception cref="InvalidOperationException">The file is GZIP-compressed.</exception>
    /// <exception cref="InvalidDataException">A header is corrupt or truncated, a length is above the limit, or the index would exceed <paramref name="maxIndexBytes"/>.</exception>
    public RecordIndex IndexRecords(long maxIndexBytes)
    {
        if (IsCompressed)
        {
            throw new InvalidOperationException("A GZIP-compressed file cannot be read at positions.");
        }

        var index = new RecordIndex(_path, withLines: false, maxIndexBytes);
        long fileLength = _file.Length;
        byte[] block = new byte[64 * 1024];
        long blockOffset = 0;
        int blockLength = 0;
        for (long offset = 0; offset < fileLength;)
        {
            long number = index.Count;
            if (offset + HeaderBytes > blockOffset + blockLength)
            {
                blockOffset = offset;
                blockLength = ReadAtMost(block, offset);
            }

            int available = (int)Math.Min(HeaderBytes, blockOffset + blockLength - offset);
            if (available < HeaderBytes)
            {
                throw Error($"truncated record {number}: the file ends {available} bytes into its 12-byte header.", number, offset);
            }

            int length = CheckHeader(block.AsSpan((int)(offset - blockOffset), HeaderBytes), number, offset);
            long total = HeaderBytes + (long)length + 4;
            if (total > fileLength - offset)
            {
                throw Error($"truncated record {number}: it needs {length} data bytes and a 4-byte CRC but the file has {fileLength - offset - HeaderBytes} bytes left.", number, offset);
            }

            index.Add(offset, total);
            offset += total;
        }

        return index;
    }

    /// <summary>Reads record <paramref name="number"/>, <paramref name="length"/> bytes with its framing at <paramref name="offset"/>; its data stays valid until the next read.</summary>
    /// <exception cref="InvalidDataException">The framing no longer matches, a CRC does not match, or the file ended early.</exception>
    public ReadOnlySpan<byte> ReadAt(long number, long offset, int length)
    {
        if (ReadAtMost(_header, offset) < HeaderBytes)
        {
            throw Error("the file ended early; was it changed while packing?", number, offset);
        }

        int dataLength = CheckHeader(_header, number, offset);
        if (HeaderBytes + (long)dataLength + 4 != length)
        {
            throw Error($"the record declares {dataLength} bytes now, but {length - HeaderBytes - 4} when the file was indexed; was it changed while packing?", number, offset);
        }

        if (_buffer.Length < dataLength + 4)
        {
            _buffer = new byte[(int)Math.Min(Array.MaxLength, Math.Max(dataLength + 4L, _buffer.Length * 2L))];
        }

        if (ReadAtMost(_buffer.AsSpan(0, dataLength + 4), offset + HeaderBytes) < dataLength + 4)
        {
            throw Error("the file ended early; was it changed while packing?", number, offset);
        }

        CheckData(dataLength, number, offset);
        RecordNumber = number;
        RecordOffset = offset;
        return _buffer.AsSpan(0, dataLength);
    }

    // Positioned read that fills `destination` unless the file ends first; returns the bytes read.
    private int ReadAtMost(Span<byte> destination, long offset)
    {
        int read = 0;
        for (int n; read < destination.Length && (n = RandomAccess.Read(_file.SafeFileHandle, destination[read..], offset + read)) > 0;)
        {
            read += n;
        }

        return read;
    }
}
