using Microsoft.Win32.SafeHandles;

namespace ShardPack.Importers.Internals;

/// <summary>
/// Finds the byte offset at which a line of a UTF-8 text file starts, moving forward only, with its own positioned
/// reads of the file. Lines end as <see cref="CsvReader"/> and <see cref="LineReader"/> end them (LF, CRLF or a lone
/// CR); these are ASCII bytes, which UTF-8 never uses inside a longer sequence, so line n of the decoded text starts
/// at the byte this finds. A UTF-8 byte order mark before line 1 is skipped, as the text readers skip it.
/// </summary>
internal sealed class LineStarts
{
    private const int BufferBytes = 64 * 1024;

    private readonly SafeFileHandle _handle;
    private readonly byte[] _buffer = new byte[BufferBytes];
    private long _bufferOffset;
    private int _bufferLength;
    private int _position;
    private long _line = 1;
    private long _lineStart;

    /// <summary>Starts at line 1 of the file behind <paramref name="handle"/>.</summary>
    /// <exception cref="UsageException">The file starts with a UTF-16 or UTF-32 byte order mark: records cannot be found by byte offset.</exception>
    public LineStarts(SafeFileHandle handle, string path)
    {
        _handle = handle;
        Fill(0);
        ReadOnlySpan<byte> head = _buffer.AsSpan(0, _bufferLength);
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) || head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]))
        {
            throw new UsageException($"--shuffle-seed: '{path}' starts with a UTF-16 or UTF-32 byte order mark, and a shuffled pack finds records by their UTF-8 byte offsets; convert the file to UTF-8 (e.g. iconv -t UTF-8) or pack it without --shuffle-seed.");
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            _position = 3;
            _lineStart = 3;
        }
    }

    /// <summary>Returns the byte offset at which <paramref name="line"/> (1-based, at least the line last asked for) starts, or the end of the file when it has fewer lines.</summary>
    public long StartOf(long line)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(line, _line);
        while (_line < line)
        {
            if (_position == _bufferLength && !Fill(_bufferOffset + _bufferLength))
            {
                return _bufferOffset + _bufferLength;
            }

            int end = _buffer.AsSpan(_position, _bufferLength - _position).IndexOfAny((byte)'\n', (byte)'\r');
            if (end < 0)
            {
                _position = _bufferLength;
                continue;
            }

            byte terminator = _buffer[_position + end];
            _position += end + 1;
            if (terminator == (byte)'\r' && (_position < _bufferLength || Fill(_bufferOffset + _bufferLength)) && _buffer[_position] == (byte)'\n')
            {
                _position++;
            }

            _line++;
            _lineStart = _bufferOffset + _position;
        }

        return _lineStart;
    }

    // Reads the buffer from file offset `offset`; false at the end of the file (the buffer then stays at that offset, empty).
    private bool Fill(long offset)
    {
        int read = 0;
        for (int n; read < _buffer.Length && (n = RandomAccess.Read(_handle, _buffer.AsSpan(read), offset + read)) > 0;)
        {
            read += n;
        }

        _bufferOffset = offset;
        _bufferLength = read;
        _position = 0;
        return read > 0;
    }
}
