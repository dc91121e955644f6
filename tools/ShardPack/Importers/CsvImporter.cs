using System.Text;
using ShardPack.Importers.Internals;

namespace ShardPack.Importers;

/// <summary>
/// <c>--from csv --input FILE --field NAME:DTYPE:COLUMNS ...</c>: one sample per row of a CSV file with a header.
/// </summary>
/// <remarks>
/// COLUMNS is a header name, several joined by <c>+</c> or <c>,</c> (<c>p0+p1+p2</c>), or an inclusive range by
/// header position (<c>p0..p783</c>); ranges and names can be mixed (<c>a+p0..p9</c>). A field of one column is a
/// scalar, of k columns a vector of shape [k]. The file is streamed row by row; with <c>--shuffle-seed</c> it is read
/// twice (<see cref="ShuffledCsvRows"/>).
/// </remarks>
internal sealed partial class CsvImporter : IImporter
{
    private const int ProgressRows = 4096;

    private readonly string _path;
    private readonly FileStream _stream;
    private readonly CsvReader _reader;
    private readonly string[] _header;
    private readonly ColumnField[] _fields;
    private readonly ShuffledCsvRows? _shuffled;

    private CsvImporter(string path, FileStream stream, CsvReader reader, string[] header, ColumnField[] fields, ShuffledCsvRows? shuffled)
    {
        _path = path;
        _shuffled = shuffled;
        _stream = stream;
        _reader = reader;
        _header = header;
        _fields = fields;
        Schema = FieldSyntax.CreateSchema(fields.Select(f => f.ToSpec()));
    }

    /// <inheritdoc />
    public Schema Schema { get; }

    /// <inheritdoc />
    public long InputBytes => _stream.Length;

    /// <summary>Opens the CSV and reads its header.</summary>
    /// <exception cref="UsageException">No --input or --field, a field names a column the header lacks, or --shuffle-seed for a UTF-16 file.</exception>
    /// <exception cref="InvalidDataException">The file has no header row; with --shuffle-seed, a malformed record, or more records than the index may hold.</exception>
    public static IImporter Create(PackArguments arguments)
    {
        string path = arguments.RequireInput();
        if (arguments.Fields.Count == 0)
        {
            throw new UsageException("--from csv needs at least one --field NAME:DTYPE:COLUMNS, e.g. --field label:i64:label --field pixels:f32:p0..p783.");
        }

        (FileStream stream, CsvReader reader, string[] header) = OpenWithHeader(path, arguments.MaxLineBytes);
        try
        {
            ColumnField[] fields = [.. arguments.Fields.Select(f => ParseField(f, header, path))];
            ShuffledCsvRows? shuffled = arguments.ShuffleRecords
                ? ShuffledCsvRows.Index(path, stream, reader, arguments.MaxLineBytes, arguments.ShuffleSeed, RecordIndex.DefaultMaxBytes)
                : null;
            return new CsvImporter(path, stream, reader, header, fields, shuffled);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void WriteSamples(DatasetWriter writer, PackProgress progress, CancellationToken cancellationToken)
    {
        byte[] scratch = new byte[_fields.Max(f => f.BytesPerSample)];
        if (_shuffled is not null)
        {
            WriteShuffled(_shuffled, writer, progress, scratch, cancellationToken);
            return;
        }

        long reportedBytes = 0, pendingRows = 0;
        while (_reader.Read())
        {
            WriteRow(_reader, writer, scratch);
            if (++pendingRows == ProgressRows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long position = _stream.Position;
                progress.Advance(pendingRows, position - reportedBytes);
                reportedBytes = position;
                pendingRows = 0;
            }
        }

        progress.Advance(pendingRows, _stream.Length - reportedBytes);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _reader.Dispose();
        _shuffled?.Dispose();
    }

    // One sample from the row `row` is on; errors name the row's line.
    private void WriteRow(CsvReader row, DatasetWriter writer, byte[] scratch)
    {
        CheckColumnCount(row, _header.Length, _path);
        for (int i = 0; i < _fields.Length; i++)
        {
            _fields[i].ParseInto(row, _header, _path, scratch);
            writer.Write<byte>(i, scratch.AsSpan(0, _fields[i].BytesPerSample));
        }

        writer.EndSample();
    }

    /// <summary>Opens a CSV file for streaming and reads its header row.</summary>
    /// <exception cref="InvalidDataException">Not a regular file, or empty, or the header row is longer than <paramref name="maxLineChars"/>.</exception>
    internal static (FileStream Stream, CsvReader Reader, string[] Header) OpenWithHeader(string path, int maxLineChars)
    {
        FileStream stream = InputFile.Open(path, bufferSize: 1 << 20);
        var reader = new CsvReader(new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16), path, maxLineChars);
        try
        {
            if (!reader.Read())
            {
                throw DataErrors.Create("the file is empty; a CSV input needs a header row naming its columns.", path, line: 1);
            }

            return (stream, reader, reader.ToArray());
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>Throws when the current row does not have one value per header column.</summary>
    /// <exception cref="InvalidDataException">The count differs.</exception>
    internal static void CheckColumnCount(CsvReader reader, int expected, string path)
    {
        if (reader.FieldCount != expected)
        {
            throw DataErrors.Create(
                $"the row has {reader.FieldCount} columns but the header has {expected}; quote values that contain commas or line breaks.",
                path,
                line: reader.Line);
        }
    }

    /// <summary>Parses <c>NAME:DTYPE:COLUMNS</c> against a header.</summary>
    /// <exception cref="UsageException">Bad syntax, dtype, or a column the header lacks.</exception>
    internal static ColumnField ParseField(string value, string[] header, string path)
    {
        // Only the first two colons separate; the column list keeps any colon of a column name.
        string[] parts = value.Split(':', 3);
        if (parts.Length != 3 || parts[0].Length == 0 || parts[2].Length == 0)
        {
            throw new UsageException($"--field '{value}': expected NAME:DTYPE:COLUMNS, e.g. label:i64:label or pixels:f32:p0..p783.");
        }

        DType dtype = FieldSyntax.ParseDType(parts[1], $"--field '{value}'");
        int[] columns = ParseColumns(parts[2], header, value, path);
        return new ColumnField(parts[0], dtype, columns);
    }

    private static int[] ParseColumns(string text, string[] header, string option, string path)
    {
        int whole = Array.IndexOf(header, text);
        if (whole >= 0)
        {
            return [whole];
        }

        var columns = new List<int>();
        foreach (string part in text.Split(['+', ','], StringSplitOptions.TrimEntries))
        {
            int index = Array.IndexOf(header, part);
            if (index >= 0)
            {
                columns.Add(index);
                continue;
            }

            int dots = part.IndexOf("..", StringComparison.Ordinal);
            if (dots > 0)
            {
                int first = Find(header, part[..dots], option, path);
                int last = Find(header, part[(dots + 2)..], option, path);
                if (last < first)
                {
                    throw new UsageException($"--field '{option}': range '{part}' runs backwards; column '{header[first]}' is at position {first + 1}, '{header[last]}' at {last + 1}.");
                }

                for (int i = first; i <= last; i++)
                {
                    columns.Add(i);
                }

                continue;
            }

            Find(header, part, option, path);
        }

        return [.. columns];
    }

    private static int Find(string[] header, string name, string option, string path)
    {
        int index = Array.IndexOf(header, name);
        if (index >= 0)
        {
            return index;
        }

        string shown = string.Join(", ", header.Take(8).Select(h => $"'{h}'"));
        throw new UsageException(
            $"--field '{option}': no column '{name}' in the header of '{path}'; it has {header.Length} columns: {shown}{(header.Length > 8 ? ", ..." : string.Empty)}.");
    }

    /// <summary>A field read from one or more CSV columns.</summary>
    internal sealed class ColumnField(string name, DType dtype, int[] columns)
    {
        public string Name => name;

        public DType DType => dtype;

        public IReadOnlyList<int> Columns => columns;

        public int BytesPerSample => columns.Length * DTypeInfo.GetItemSize(dtype);

        public FieldSpec ToSpec() => columns.Length == 1 ? FieldSpec.Fixed(name, dtype) : FieldSpec.Fixed(name, dtype, columns.Length);

        /// <summary>Parses this field's columns of the current row into <paramref name="destination"/>.</summary>
        /// <exception cref="InvalidDataException">A value is empty, not a number, or out of range.</exception>
        public void ParseInto(CsvReader reader, string[] header, string path, Span<byte> destination)
        {
            int size = DTypeInfo.GetItemSize(dtype);
            for (int j = 0; j < columns.Length; j++)
            {
                ReadOnlySpan<char> text = reader[columns[j]];
                ParseStatus status = ValueParser.TryParse(text, dtype, destination.Slice(j * size, size));
                if (status != ParseStatus.Ok)
                {
                    ThrowBadValue(reader, header[columns[j]], text, status, path);
                }
            }
        }

        private void ThrowBadValue(CsvReader reader, string column, ReadOnlySpan<char> text, ParseStatus status, string path)
        {
            string shown = text.Length > 40 ? string.Concat(text[..40], "...") : text.ToString();
            throw DataErrors.Create(
                $"column '{column}' (field '{name}'): value '{shown}' {ValueParser.Describe(status, dtype)}.",
                path,
                line: reader.Line);
        }
    }
}
