using Google.Protobuf;
using ShardPack.Importers.Internals;

namespace ShardPack.Importers;

/// <summary>
/// Imports a TFRecord file of <c>tf.train.Example</c> records (plain or GZIP), one sample per record. The schema is
/// inferred from the first record, one field per feature ordered by name: a float_list of n values is <c>f32[n]</c>
/// (a scalar when n is 1), an int64_list <c>i64</c> likewise, a bytes_list with one value variable <c>u8</c>.
/// <c>--feature NAME:DTYPE[:SHAPE]</c> (SHAPE <c>*</c> for variable length) or <c>--feature NAME:bytes[:concat]</c>
/// pins a feature's field instead; the other features are still inferred. With <c>--shuffle-seed</c> (uncompressed
/// files only) a first pass indexes the records and the second reads them in the shuffled order.
/// </summary>
internal sealed partial class TfRecordImporter : IImporter
{
    private const string Syntax = "NAME:DTYPE[:SHAPE] (SHAPE e.g. 4, 28x28, scalar or * for variable length) or NAME:bytes[:concat]";
    private const int ProgressInterval = 256;

    private readonly string _path;
    private readonly TfRecordReader _reader;
    private readonly TfExampleParser _parser = new();
    private readonly Column[] _columns;
    private byte[] _scratch = new byte[256];
    private readonly RecordIndex? _index;
    private readonly RecordShuffle? _shuffle;
    private bool _hasRecord;

    private TfRecordImporter(string path, Dictionary<string, Pin> pins, int maxRecordBytes, ulong? shuffleSeed)
    {
        _path = path;
        _reader = new TfRecordReader(path, maxRecordBytes);
        try
        {
            if (shuffleSeed is not null && _reader.IsCompressed)
            {
                throw new UsageException($"--shuffle-seed reads each record at its offset in the file, which a GZIP-compressed file does not allow: decompress '{path}' first (gunzip), or pack it without --shuffle-seed.");
            }

            _hasRecord = ReadRecord();
            _columns = BuildColumns(pins);
            Schema = CreateSchema(_columns);
            InputBytes = _reader.FileLength;
            if (shuffleSeed is { } seed)
            {
                _index = _reader.IndexRecords(RecordIndex.DefaultMaxBytes);
                _shuffle = new RecordShuffle(_index.Count, seed);
            }
        }
        catch
        {
            _reader.Dispose();
            throw;
        }
    }

    public Schema Schema { get; }

    public long InputBytes { get; }

    /// <exception cref="UsageException">No --input, a --feature that is not <c>NAME:DTYPE[:SHAPE]</c>, or --shuffle-seed for a GZIP file.</exception>
    /// <exception cref="InvalidDataException">
    /// The first record is malformed, or holds a feature whose field cannot be inferred; with --shuffle-seed, any
    /// record's header is corrupt or truncated, or the file has more records than the index may hold.
    /// </exception>
    public static IImporter Create(PackArguments arguments)
    {
        string path = arguments.RequireInput();
        var pins = new Dictionary<string, Pin>(StringComparer.Ordinal);
        foreach (string value in arguments.Features)
        {
            Pin pin = ParsePin(value);
            if (!pins.TryAdd(pin.Spec.Name, pin))
            {
                throw new UsageException($"--feature '{pin.Spec.Name}' is given more than once.");
            }
        }

        return new TfRecordImporter(path, pins, arguments.MaxRecordBytes, arguments.ShuffleRecords ? arguments.ShuffleSeed : null);
    }

    public void WriteSamples(DatasetWriter writer, PackProgress progress, CancellationToken cancellationToken)
    {
        if (_index is not null && _shuffle is not null)
        {
            WriteShuffled(_index, _shuffle, writer, progress, cancellationToken);
            return;
        }

        long reported = 0, pending = 0;
        while (_hasRecord)
        {
            WriteRecord(writer);
            if (++pending == ProgressInterval)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress.Advance(pending, _reader.FilePosition - reported);
                reported = _reader.FilePosition;
                pending = 0;
            }

            _hasRecord = ReadRecord();
        }

        progress.Advance(pending, InputBytes - reported);
    }

    public void Dispose() => _reader.Dispose();

    private static Pin ParsePin(string value)
    {
        string[] parts = FieldSyntax.Split(value, 2, 3, "--feature", Syntax);
        string name = parts[0];
        if (parts[1].Equals("bytes", StringComparison.OrdinalIgnoreCase))
        {
            bool concat = parts.Length == 3 && parts[2].Equals("concat", StringComparison.OrdinalIgnoreCase);
            if (parts.Length == 3 && !concat)
            {
                throw new UsageException($"--feature '{value}': after 'bytes' only 'concat' may follow; expected {Syntax}.");
            }

            return new Pin(CreateField(() => FieldSpec.Bytes(name)), concat);
        }

        DType dtype = FieldSyntax.ParseDType(parts[1], "--feature");
        string shape = parts.Length == 3 ? parts[2] : string.Empty;
        return shape == "*"
            ? new Pin(CreateField(() => FieldSpec.Variable(name, dtype)), Concat: true)
            : new Pin(CreateField(() => FieldSpec.Fixed(name, dtype, FieldSyntax.ParseShape(shape, "--feature"))), Concat: dtype == DType.U8);
    }

    private static FieldSpec CreateField(Func<FieldSpec> create)
    {
        try
        {
            return create();
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--feature: {e.Message}");
        }
    }

    private Column[] BuildColumns(Dictionary<string, Pin> pins)
    {
        if (!_hasRecord && pins.Count == 0)
        {
            throw DataErrors.Create("the file holds no records, so no schema can be inferred; pin the features with --feature.", _path);
        }

        var names = new SortedSet<string>(pins.Keys, StringComparer.Ordinal);
        names.UnionWith(_parser.Features.Keys);
        var columns = new List<Column>();
        foreach (string name in names)
        {
            if (pins.TryGetValue(name, out Pin? pin))
            {
                columns.Add(new Column(name, pin.Spec, null, pin.Concat));
                continue;
            }

            TfExampleParser.Feature feature = _parser.Features[name];
            (FieldSpec spec, TfExampleParser.Kind kind) = feature.Kind switch
            {
                TfExampleParser.Kind.Float when feature.Count > 0 => (Infer(name, DType.F32, feature.Count), feature.Kind),
                TfExampleParser.Kind.Int64 when feature.Count > 0 => (Infer(name, DType.I64, feature.Count), feature.Kind),
                TfExampleParser.Kind.Bytes when feature.Count == 1 => (InferField(name, () => FieldSpec.Bytes(name)), feature.Kind),
                TfExampleParser.Kind.Bytes => throw Error(
                    $"feature '{name}' holds {feature.Count} bytes values; one per record is inferred as bytes. Pin it with --feature {name}:bytes:concat to store the values concatenated.",
                    0),
                _ => throw Error(
                    $"feature '{name}' has {(feature.Kind == TfExampleParser.Kind.None ? "no values list" : $"an empty {KindName(feature.Kind)}")}, so its field cannot be inferred; pin it with --feature {name}:DTYPE:SHAPE.",
                    0),
            };
            columns.Add(new Column(name, spec, kind, Concat: false));
        }

        return [.. columns];
    }

    // The features come from the file, so a name or a count no field can have is bad data (exit 3), not a usage error.
    private FieldSpec Infer(string name, DType dtype, int count) => InferField(name, () => count == 1 ? FieldSpec.Fixed(name, dtype) : FieldSpec.Fixed(name, dtype, count));

    private FieldSpec InferField(string name, Func<FieldSpec> create)
    {
        try
        {
            return create();
        }
        catch (ArgumentException e)
        {
            throw Error($"feature '{Printable(name)}' cannot be a field: {e.Message} Rename it in the file.", 0);
        }
    }

    private Schema CreateSchema(Column[] columns)
    {
        if (columns.Length == 0)
        {
            throw Error("record 0 holds no features, so no schema can be inferred; pin the features with --feature.", 0);
        }

        try
        {
            return new Schema(columns.Select(c => c.Spec));
        }
        catch (ArgumentException e)
        {
            throw Error($"the features of record 0 and the --feature options make no valid schema: {e.Message}", 0);
        }
    }

    private static string Printable(string name) => string.Concat(name.Take(64).Select(c => char.IsControl(c) ? '?' : c));

    private bool ReadRecord()
    {
        if (!_reader.TryReadNext(out ReadOnlySpan<byte> record))
        {
            return false;
        }

        ParseRecord(record.Length);
        return true;
    }

    // Parses the record the reader read last, `length` bytes at the start of its buffer.
    private void ParseRecord(int length)
    {
        try
        {
            _parser.Parse(_reader.Buffer, length);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidDataException)
        {
            throw DataErrors.Create($"the record is not a valid tf.train.Example: {e.Message}", _path, byteOffset: _reader.RecordOffset, record: _reader.RecordNumber, innerException: e);
        }
    }

    private void WriteRecord(DatasetWriter writer)
    {
        foreach (string name in _parser.Features.Keys)
        {
            if (writer.Schema.IndexOf(name) < 0)
            {
                throw Error($"feature '{name}' is not in the schema, which was inferred from record 0 and the --feature options; pin it with --feature {name}:DTYPE:SHAPE.", _reader.RecordNumber);
            }
        }

        for (int i = 0; i < _columns.Length; i++)
        {
            Column column = _columns[i];
            if (!_parser.Features.TryGetValue(column.Name, out TfExampleParser.Feature? feature))
            {
                throw Error($"feature '{column.Name}' is missing; every record must hold every field of the schema {writer.Schema}.", _reader.RecordNumber);
            }

            writer.Write(i, Convert(column, feature));
        }

        writer.EndSample();
    }

    private static string KindName(TfExampleParser.Kind kind) => kind switch
    {
        TfExampleParser.Kind.Float => "a float_list",
        TfExampleParser.Kind.Int64 => "an int64_list",
        TfExampleParser.Kind.Bytes => "a bytes_list",
        _ => "a feature with no values list",
    };

    private InvalidDataException Error(string problem, long record) => DataErrors.Create(problem, _path, record: record);

    /// <summary>A pinned <c>--feature</c>: its field and, for bytes, whether several values are concatenated.</summary>
    private sealed record Pin(FieldSpec Spec, bool Concat);

    /// <summary>One field of the schema: its feature, and the list kind it was inferred from (null when pinned).</summary>
    private sealed record Column(string Name, FieldSpec Spec, TfExampleParser.Kind? InferredKind, bool Concat);
}
