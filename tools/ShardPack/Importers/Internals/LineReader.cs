namespace ShardPack.Importers.Internals;

/// <summary>
/// Reads lines (ended by LF, CRLF or CR) into one reused buffer that never grows past a set number of characters, so a
/// file without line breaks is an error naming its line instead of an unbounded string.
/// </summary>
internal sealed class LineReader : IDisposable
{
    private readonly TextReader _reader;
    private readonly string _path;
    private readonly int _maxChars;
    private readonly char[] _buffer = new char[64 * 1024];
    private int _position;
    private int _length;
    private char[] _line = new char[256];
    private int _lineLength;

    /// <summary>Creates a reader of lines of at most <paramref name="maxChars"/> characters; <paramref name="path"/> names the file in errors.</summary>
    public LineReader(TextReader reader, string path, int maxChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, 1);
        _reader = reader;
        _path = path;
        _maxChars = maxChars;
    }

    /// <summary>Gets the 1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Reads the next line, without its line break; it stays valid until the next call.</summary>
    /// <returns><see langword="false"/> at the end of the input.</returns>
    /// <exception cref="InvalidDataException">The line is longer than the limit.</exception>
    public bool TryReadLine(out ReadOnlySpan<char> line)
    {
        line = default;
        _lineLength = 0;
        if (_position == _length && !Fill())
        {
            return false;
        }

        while (true)
        {
            ReadOnlySpan<char> available = _buffer.AsSpan(_position, _length - _position);
            int end = available.IndexOfAny('\n', '\r');
            Append(end < 0 ? available : available[..end]);
            if (end < 0)
            {
                _position = _length;
                if (!Fill())
                {
                    break;
                }

                continue;
            }

            _position += end + 1;
            if (available[end] == '\r' && (_position < _length || Fill()) && _buffer[_position] == '\n')
            {
                _position++;
            }

            break;
        }

        LineNumber++;
        line = _line.AsSpan(0, _lineLength);
        return true;
    }

    /// <summary>
    /// Starts reading the underlying reader afresh, the next line numbered <paramref name="firstLine"/>: after the
    /// text under it was replaced by one record taken from a file (<see cref="RecordText"/>).
    /// </summary>
    public void Restart(long firstLine)
    {
        _position = 0;
        _length = 0;
        LineNumber = firstLine - 1;
    }

    /// <inheritdoc />
    public void Dispose() => _reader.Dispose();

    private void Append(ReadOnlySpan<char> text)
    {
        if ((long)_lineLength + text.Length > _maxChars)
        {
            throw DataErrors.Create(
                $"the line is longer than {_maxChars} characters; is a line break missing? Raise --max-line-bytes if lines this long are intended.",
                _path,
                line: LineNumber + 1);
        }

        if (_lineLength + text.Length > _line.Length)
        {
            Array.Resize(ref _line, (int)Math.Min(Math.Max(_line.Length * 2L, _lineLength + text.Length), _maxChars));
        }

        text.CopyTo(_line.AsSpan(_lineLength));
        _lineLength += text.Length;
    }

    private bool Fill()
    {
        _length = _reader.Read(_buffer, 0, _buffer.Length);
        _position = 0;
        return _length > 0;
    }
}
