using ShardPack.Importers.Internals;

namespace ShardPack.Importers;

/// <summary>
/// <c>--from raw --input FILE --field NAME:DTYPE[:SHAPE] ...</c>: a file of fixed-size records, each the fields one
/// after another in little-endian order, with no header or padding.
/// </summary>
/// <remarks>
/// The file is streamed through a buffer of a few MiB holding many records at a time; with <c>--shuffle-seed</c> the
/// records are read one at a time, with positioned reads, in the shuffled order.
/// </remarks>
internal sealed class RawImporter : IImporter
{
    private const int TargetBufferBytes = 4 << 20;

    private readonly string _path;
    private readonly FileStream _stream;
    private readonly int _recordBytes;
    private readonly int[] _fieldOffsets;
    private readonly RecordShuffle? _shuffle;

    private RawImporter(string path, FileStream stream, Schema schema, int recordBytes, RecordShuffle? shuffle)
    {
        _path = path;
        _shuffle = shuffle;
        _stream = stream;
        Schema = schema;
        _recordBytes = recordBytes;
        _fieldOffsets = new int[schema.Count + 1];
        for (int i = 0; i < schema.Count; i++)
        {
            _fieldOffsets[i + 1] = _fieldOffsets[i] + schema[i].BytesPerSample;
        }
    }

    /// <inheritdoc />
    public Schema Schema { get; }

    /// <inheritdoc />
    public long InputBytes => _stream.Length;

    /// <summary>Opens the file and checks that it holds a whole number of records.</summary>
    /// <exception cref="UsageException">No --input or --field, or a field is malformed.</exception>
    /// <exception cref="InvalidDataException">The file length is not a multiple of the record size.</exception>
    public static IImporter Create(PackArguments arguments)
    {
        string path = arguments.RequireInput();
        if (arguments.Fields.Count == 0)
        {
            throw new UsageException("--from raw needs at least one --field NAME:DTYPE[:SHAPE], e.g. --field image:u8:28x28 --field label:i64.");
        }

        var specs = new List<FieldSpec>();
        foreach (string value in arguments.Fields)
        {
            string option = $"--field '{value}'";
            string[] parts = FieldSyntax.Split(value, 2, 3, "--field", "NAME:DTYPE[:SHAPE], e.g. image:u8:28x28 or label:i64");
            DType dtype = FieldSyntax.ParseDType(parts[1], option);
            int[] shape = FieldSyntax.ParseShape(parts.Length == 3 ? parts[2] : string.Empty, option);
            try
            {
                specs.Add(FieldSpec.Fixed(parts[0], dtype, shape));
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"{option}: {e.Message}");
            }
        }

        Schema schema = FieldSyntax.CreateSchema(specs);
        long recordBytes = specs.Sum(s => (long)s.BytesPerSample);
        if (recordBytes > arguments.MaxRecordBytes)
        {
            throw new UsageException($"--field: one record of {recordBytes} bytes is larger than --max-record-bytes ({arguments.MaxRecordBytes}); raise it to pack records this large.");
        }

        FileStream stream = InputFile.Open(path, bufferSize: 1);
        try
        {
            long length = stream.Length;
            if (length % recordBytes != 0)
            {
                throw Truncated(path, length, (int)recordBytes, schema);
            }

            return new RawImporter(path, stream, schema, (int)recordBytes, RecordShuffle.For(arguments, length / recordBytes));
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void WriteSamples(DatasetWriter writer, PackProgress progress, CancellationToken cancellationToken)
    {
        if (_shuffle is not null)
        {
            WriteShuffled(_shuffle, writer, progress, cancellationToken);
            return;
        }

        int recordsPerBuffer = Math.Max(1, TargetBufferBytes / _recordBytes);
        byte[] buffer = new byte[(long)recordsPerBuffer * _recordBytes];
        int fieldCount = Schema.Count;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int read = _stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (read == 0)
            {
                return;
            }

            int records = read / _recordBytes;
            if (read % _recordBytes != 0)
            {
                // The file shrank after it was opened.
                throw Truncated(_path, _stream.Position, _recordBytes, Schema);
            }

            for (int r = 0; r < records; r++)
            {
                ReadOnlySpan<byte> record = buffer.AsSpan(r * _recordBytes, _recordBytes);
                for (int f = 0; f < fieldCount; f++)
                {
                    writer.Write(f, record[_fieldOffsets[f].._fieldOffsets[f + 1]]);
                }

                writer.EndSample();
            }

            progress.Advance(records, read);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();

    private void WriteShuffled(RecordShuffle shuffle, DatasetWriter writer, PackProgress progress, CancellationToken cancellationToken)
    {
        long records = _stream.Length / _recordBytes;
        byte[] record = new byte[_recordBytes];
        for (long k = 0; k < records; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long offset = shuffle.RecordAt(k) * _recordBytes;
            int read = 0;
            for (int n; read < record.Length && (n = RandomAccess.Read(_stream.SafeFileHandle, record.AsSpan(read), offset + read)) > 0;)
            {
                read += n;
            }

            if (read < record.Length)
            {
                // The file shrank after it was opened.
                throw Truncated(_path, offset + read, _recordBytes, Schema);
            }

            for (int f = 0; f < Schema.Count; f++)
            {
                writer.Write(f, ((ReadOnlySpan<byte>)record)[_fieldOffsets[f].._fieldOffsets[f + 1]]);
            }

            writer.EndSample();
            if ((k + 1) % 256 == 0 || k + 1 == records)
            {
                long advanced = ((k + 1) % 256) is 0 ? 256 : (k + 1) % 256;
                progress.Advance(advanced, advanced * _recordBytes);
            }
        }
    }

    private static InvalidDataException Truncated(string path, long length, int recordBytes, Schema schema)
    {
        long record = length / recordBytes;
        return DataErrors.Create(
            $"record {record} is truncated: the file is {length} bytes, not a multiple of the {recordBytes}-byte record {schema} "
            + $"({length % recordBytes} bytes left over); check the --field dtypes and shapes, or that the file was fully written.",
            path,
            record: record,
            byteOffset: record * recordBytes);
    }
}
