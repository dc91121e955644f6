namespace ShardPack.Importers;

/// <summary>
/// Reads RFC 4180 CSV records one at a time from a <see cref="TextReader"/>: fields separated by commas, quoted
/// fields that may hold commas, newlines and <c>""</c> for a quote, lines ended by CRLF, LF or CR.
/// </summary>
/// <remarks>
/// Memory is bounded by the longest record, which may span at most the given number of characters (separators and
/// quotes included), so a file without line breaks is an error instead of an unbounded buffer. Completely empty lines are skipped. The spans returned by
/// <see cref="this[int]"/> stay valid until the next <see cref="Read"/>.
/// </remarks>
internal sealed class CsvReader : IDisposable
{
    private readonly TextReader _reader;
    private readonly string _path;
    private readonly int _maxRecordChars;
    private readonly char[] _buffer = new char[64 * 1024];
    private int _position;
    private int _length;
    private char[] _record = new char[1024];
    private int _recordLength;
    private int[] _fieldEnds = new int[64];
    private int _fieldCount;
    private long _nextLine = 1;
    private long _consumed;
    private long _recordStart;

    /// <summary>Creates a reader; <paramref name="path"/> is only used in error messages.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="path">The file, for messages.</param>
    /// <param name="maxRecordChars">The most characters one record may span.</param>
    public CsvReader(TextReader reader, string path, int maxRecordChars = InputLimits.DefaultMaxLineBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecordChars, 1);
        _reader = reader;
        _path = path;
        _maxRecordChars = maxRecordChars;
    }

    /// <summary>Gets the 1-based line on which the current record starts.</summary>
    public long Line { get; private set; }

    /// <summary>Gets the 1-based line on which the current record ends (its line break, or the end of the input).</summary>
    public long EndLine { get; private set; }

    /// <summary>Gets the number of fields of the current record.</summary>
    public int FieldCount => _fieldCount;

    /// <summary>Gets the text of a field of the current record, unquoted.</summary>
    public ReadOnlySpan<char> this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_fieldCount, nameof(index));
            int start = index == 0 ? 0 : _fieldEnds[index - 1];
            return _record.AsSpan(start, _fieldEnds[index] - start);
        }
    }

    /// <summary>Returns the fields of the current record as strings.</summary>
    public string[] ToArray()
    {
        var fields = new string[_fieldCount];
        for (int i = 0; i < fields.Length; i++)
        {
            fields[i] = this[i].ToString();
        }

        return fields;
    }

    /// <summary>Moves to the next record.</summary>
    /// <returns><see langword="false"/> at the end of the input.</returns>
    /// <exception cref="InvalidDataException">A quoted field is not closed, or text follows its closing quote.</exception>
    public bool Read()
    {
        _recordLength = 0;
        _fieldCount = 0;

        // Skip empty lines; they hold no record.
        int c;
        while (true)
        {
            c = Next();
            if (c < 0)
            {
                return false;
            }

            if (c == '\n')
            {
                _nextLine++;
            }
            else if (c == '\r')
            {
                SkipLineFeed();
                _nextLine++;
            }
            else
            {
                break;
            }
        }

        Line = _nextLine;
        _recordStart = _consumed + _position - 1;
        while (true)
        {
            // c is the first character of a field (or -1, or a separator for an empty field).
            if (c == '"')
            {
                c = ReadQuoted();
            }
            else
            {
                while (c >= 0 && c != ',' && c != '\n' && c != '\r')
                {
                    Append((char)c);
                    c = Next();
                }
            }

            EndField();
            if (c == ',')
            {
                c = Next();
                continue;
            }

            if (c == '\r')
            {
                SkipLineFeed();
            }

            EndLine = _nextLine;
            if (c >= 0)
            {
                _nextLine++;
            }

            return true;
        }
    }

    /// <summary>
    /// Starts reading the underlying reader afresh, its first line numbered <paramref name="line"/>: after the text
    /// under it was replaced by one record taken from a file (<see cref="Internals.RecordText"/>).
    /// </summary>
    public void Restart(long line)
    {
        _position = 0;
        _length = 0;
        _consumed = 0;
        _recordLength = 0;
        _fieldCount = 0;
        _nextLine = line;
    }

    /// <inheritdoc />
    public void Dispose() => _reader.Dispose();

    // Reads a quoted field after its opening quote; returns the character after the closing quote.
    private int ReadQuoted()
    {
        while (true)
        {
            int c = Next();
            if (c < 0)
            {
                throw DataErrors.Create("a quoted field is not closed before the end of the file; a field that holds a quote must double it (\"\").", _path, line: Line);
            }

            if (c == '"')
            {
                if (Peek() == '"')
                {
                    Next();
                    Append('"');
                    continue;
                }

                int after = Next();
                if (after is >= 0 and not (',' or '\n' or '\r'))
                {
                    throw DataErrors.Create($"'{(char)after}' follows the closing quote of a field; quote the whole field and double any quote inside it (\"\").", _path, line: _nextLine);
                }

                return after;
            }

            if (c == '\n' || (c == '\r' && Peek() != '\n'))
            {
                _nextLine++;
            }

            Append((char)c);
        }
    }

    private void SkipLineFeed()
    {
        if (Peek() == '\n')
        {
            Next();
        }
    }

    private void Append(char c)
    {
        CheckLength(terminator: 0);
        if (_recordLength == _record.Length)
        {
            Array.Resize(ref _record, Math.Max(Math.Min(_record.Length * 2, _maxRecordChars), _recordLength + 1));
        }

        _record[_recordLength++] = c;
    }

    private void EndField()
    {
        // The separator or line break that ends the field has been consumed already; it does not count.
        CheckLength(terminator: 1);
        if (_fieldCount == _fieldEnds.Length)
        {
            Array.Resize(ref _fieldEnds, _fieldEnds.Length * 2);
        }

        _fieldEnds[_fieldCount++] = _recordLength;
    }

    // Fields and separators both grow the buffers, so the bound is on the characters the record spans so far.
    private void CheckLength(int terminator)
    {
        if (_consumed + _position - _recordStart - terminator > _maxRecordChars)
        {
            throw DataErrors.Create(
                $"the record is longer than {_maxRecordChars} characters; is a line break missing or a quote not closed? Raise --max-line-bytes if rows this long are intended.",
                _path,
                line: Line);
        }
    }

    private int Next()
    {
        if (_position == _length && !Fill())
        {
            return -1;
        }

        return _buffer[_position++];
    }

    private int Peek()
    {
        if (_position == _length && !Fill())
        {
            return -1;
        }

        return _buffer[_position];
    }

    private bool Fill()
    {
        _consumed += _length;
        _length = _reader.Read(_buffer, 0, _buffer.Length);
        _position = 0;
        return _length > 0;
    }
}
