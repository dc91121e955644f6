using System.Globalization;

namespace ShardPack.Importers;

/// <summary>
/// Parses lines of CNTK Text Format (<c>[seqId] |name v v v |name2 i:v i:v |# comment</c>) into per-stream rows of
/// dense float32 values; a <c>|#</c> comment runs to the next <c>|</c> or the end of the line.
/// </summary>
internal sealed class CtfParser
{
    /// <summary>One <c>--stream</c>: its name, dimension, whether its values are <c>index:value</c> pairs, and whether a sample may hold several rows.</summary>
    internal sealed record StreamSpec(string Name, int Dim, bool Sparse, bool Sequence);

    private readonly string _path;
    private readonly StreamSpec[] _streams;
    private readonly Dictionary<string, int> _indexByName;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int _maxValuesPerStream;

    /// <summary>Creates a parser of the declared streams; one sequence of one stream may hold at most <paramref name="maxRecordBytes"/> of float32 values.</summary>
    public CtfParser(string path, IReadOnlyList<StreamSpec> streams, int maxRecordBytes = InputLimits.DefaultMaxRecordBytes)
    {
        _path = path;
        _maxValuesPerStream = Math.Max(1, maxRecordBytes / sizeof(float));
        _streams = [.. streams];
        _indexByName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _streams.Length; i++)
        {
            _indexByName[_streams[i].Name] = i;
        }

        _lookup = _indexByName.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Gets the most float values one sequence of one stream may hold (bounded memory).</summary>
    public int MaxValuesPerStream => _maxValuesPerStream;

    /// <summary>Returns the sequence id of <paramref name="line"/> (empty when it has none).</summary>
    public static ReadOnlySpan<char> SequenceId(ReadOnlySpan<char> line)
    {
        int bar = line.IndexOf('|');
        return (bar < 0 ? line : line[..bar]).Trim();
    }

    /// <summary>Returns whether <paramref name="line"/> holds any stream, not only a sequence id and comments.</summary>
    public static bool HasStreams(ReadOnlySpan<char> line)
    {
        int bar = line.IndexOf('|');
        while (bar >= 0)
        {
            if (bar + 1 < line.Length && line[bar + 1] != '#')
            {
                return true;
            }

            int next = line[(bar + 1)..].IndexOf('|');
            bar = next < 0 ? -1 : bar + 1 + next;
        }

        return false;
    }

    /// <summary>Parses the streams of one line, adding one row per stream occurrence to <paramref name="rows"/>, or only counting rows when <paramref name="countOnly"/>.</summary>
    /// <exception cref="InvalidDataException">An unknown stream, a bad number, a wrong value count or an index beyond the dimension.</exception>
    public void ParseLine(ReadOnlySpan<char> line, long lineNumber, Rows rows, bool countOnly)
    {
        int bar = line.IndexOf('|');
        while (bar >= 0)
        {
            ReadOnlySpan<char> rest = line[(bar + 1)..];
            int next = rest.IndexOf('|');
            ReadOnlySpan<char> segment = next < 0 ? rest : rest[..next];
            bar = next < 0 ? -1 : bar + 1 + next;
            if (segment.Length > 0 && segment[0] == '#')
            {
                continue;
            }

            int nameEnd = segment.IndexOfAny(' ', '\t');
            ReadOnlySpan<char> name = nameEnd < 0 ? segment : segment[..nameEnd];
            ReadOnlySpan<char> values = nameEnd < 0 ? [] : segment[(nameEnd + 1)..];
            if (!_lookup.TryGetValue(name, out int stream))
            {
                throw DataErrors.Create(
                    $"unknown stream '{name}'; declare every stream of the file with --stream NAME:DIM[:sparse] (declared: {string.Join(", ", _streams.Select(s => s.Name))}).",
                    _path,
                    line: lineNumber);
            }

            if (countOnly)
            {
                rows.AddRowCount(stream);
                continue;
            }

            StreamSpec spec = _streams[stream];
            Span<float> row = rows.AddRow(stream, spec.Dim, _maxValuesPerStream, _path, lineNumber);
            if (spec.Sparse)
            {
                row.Clear();
                ParseSparse(values, row, spec, lineNumber);
            }
            else
            {
                ParseDense(values, row, spec, lineNumber);
            }
        }
    }

    private void ParseDense(ReadOnlySpan<char> values, Span<float> row, StreamSpec spec, long lineNumber)
    {
        int count = 0;
        foreach (Range r in values.SplitAny(' ', '\t'))
        {
            ReadOnlySpan<char> token = values[r];
            if (token.Length == 0)
            {
                continue;
            }

            if (count == row.Length)
            {
                throw DataErrors.Create($"stream '{spec.Name}' has more than {spec.Dim} values; a dense row holds exactly DIM values.", _path, line: lineNumber);
            }

            row[count++] = ParseFloat(token, spec, lineNumber);
        }

        if (count != row.Length)
        {
            throw DataErrors.Create($"stream '{spec.Name}' has {count} values; a dense row holds exactly {spec.Dim}.", _path, line: lineNumber);
        }
    }

    private void ParseSparse(ReadOnlySpan<char> values, Span<float> row, StreamSpec spec, long lineNumber)
    {
        foreach (Range r in values.SplitAny(' ', '\t'))
        {
            ReadOnlySpan<char> token = values[r];
            if (token.Length == 0)
            {
                continue;
            }

            int colon = token.IndexOf(':');
            if (colon < 0)
            {
                throw DataErrors.Create($"stream '{spec.Name}' is sparse; '{token}' is not an index:value pair.", _path, line: lineNumber);
            }

            if (!int.TryParse(token[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            {
                throw DataErrors.Create($"stream '{spec.Name}': '{token[..colon]}' is not an index.", _path, line: lineNumber);
            }

            if (index >= spec.Dim)
            {
                throw DataErrors.Create($"stream '{spec.Name}': index {index} is beyond its dimension {spec.Dim} (indices are 0 to {spec.Dim - 1}).", _path, line: lineNumber);
            }

            row[index] = ParseFloat(token[(colon + 1)..], spec, lineNumber);
        }
    }

    private float ParseFloat(ReadOnlySpan<char> token, StreamSpec spec, long lineNumber) =>
        float.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out float value)
            ? value
            : throw DataErrors.Create($"stream '{spec.Name}': '{token}' is not a number.", _path, line: lineNumber);

    /// <summary>The rows of every stream of the sequence being read, reused from one sequence to the next.</summary>
    internal sealed class Rows
    {
        private readonly float[][] _values;
        private readonly int[] _counts;
        private readonly int[] _rows;

        public Rows(int streams)
        {
            _values = new float[streams][];
            _counts = new int[streams];
            _rows = new int[streams];
            for (int i = 0; i < streams; i++)
            {
                _values[i] = new float[16];
            }
        }

        /// <summary>Returns how many rows stream <paramref name="stream"/> has in this sequence.</summary>
        public int RowCount(int stream) => _rows[stream];

        /// <summary>Returns the values of all rows of stream <paramref name="stream"/>, row after row.</summary>
        public ReadOnlySpan<float> Values(int stream) => _values[stream].AsSpan(0, _counts[stream]);

        public void AddRowCount(int stream) => _rows[stream]++;

        /// <summary>Appends a row of <paramref name="dim"/> values and returns it to fill.</summary>
        /// <exception cref="InvalidDataException">The sequence holds more values than <paramref name="maxValues"/>.</exception>
        public Span<float> AddRow(int stream, int dim, int maxValues, string path, long lineNumber)
        {
            int count = _counts[stream];
            if ((long)count + dim > maxValues)
            {
                throw DataErrors.Create(
                    $"the sample would hold more than {maxValues} values ({(long)maxValues * sizeof(float)} bytes) of one stream; split it into shorter sequences, or raise --max-record-bytes.",
                    path,
                    line: lineNumber);
            }

            if (count + dim > _values[stream].Length)
            {
                Array.Resize(ref _values[stream], (int)Math.Min(Math.Max((long)_values[stream].Length * 2, count + dim), maxValues));
            }

            _counts[stream] = count + dim;
            _rows[stream]++;
            return _values[stream].AsSpan(count, dim);
        }

        public void Clear()
        {
            Array.Clear(_counts);
            Array.Clear(_rows);
        }
    }
}
