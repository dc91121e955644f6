using System.IO.Compression;
using System.Text;
using Google.Protobuf;
using ShardPack.Importers;
using ShardPack.Importers.Internals;
using ShardStore.Testing.Fuzzing;

namespace ShardPack.Tests.Infrastructure;

/// <summary>
/// The parsers of <c>shardpack pack</c> as fuzz targets, each run the way its importer runs it, and a valid corpus for
/// each. A target that needs a file writes the case to one file of its own temporary directory.
/// </summary>
internal sealed class FuzzTargets : IDisposable
{
    private static readonly DType[] s_csvTypes = [DType.F32, DType.I64, DType.U8, DType.F16, DType.BF16, DType.I8, DType.U64, DType.F64, DType.I32, DType.U16];

    private readonly TempDirectory _dir = new();

    /// <summary>Gets the words the mutator inserts into .npy headers.</summary>
    public static IReadOnlyList<byte[]> NpyTokens { get; } = Mutator.Tokens("'descr'", "'shape'", "'fortran_order'", "True", "False", "None", "'<f4'", "'>i8'", "'|u1'", "(", ")", "{", "}", ",", ":", "\\", "'", "\"", "L", "\n", " ");

    /// <summary>Gets the words the mutator inserts into CSV.</summary>
    public static IReadOnlyList<byte[]> CsvTokens { get; } = Mutator.Tokens(",", "\"", "\"\"", "\r\n", "\n", "\r", "true", "false", " ", "\uFEFF", "\u00e9");

    /// <summary>Gets the words the mutator inserts into CTF.</summary>
    public static IReadOnlyList<byte[]> CtfTokens { get; } = Mutator.Tokens("|a ", "|b ", "|c ", "|#", "|", ":", "0:", "4:", "5:", "99999999999:", "\n", "\r\n", "\t", " ", "7 ");

    /// <summary>Gets the words the mutator inserts into TFRecord and Example bytes (protobuf tags and lengths).</summary>
    public static IReadOnlyList<byte[]> ProtoTokens { get; } = Mutator.Tokens("\n", "\u0012", "\u001a", "\r", "\b", "\u000b", "\u000c", "\u00ff\u00ff\u00ff\u00ff\u000f");

    /// <summary>Gets valid .npy files: several dtypes, byte orders, versions and shapes.</summary>
    public static IReadOnlyList<byte[]> NpyCorpus { get; } =
    [
        [.. NpyWriter.Header("<f4", 3, 2), .. new byte[24]],
        [.. NpyWriter.Header(">i8", 2), .. new byte[16]],
        [.. NpyWriter.Header("|u1", 4, 2, 2), .. new byte[16]],
        [.. NpyWriter.Header("|b1", 5), .. new byte[5]],
        [.. NpyWriter.Header("<f2", fortranOrder: true, 2, 1), .. new byte[4]],
        [.. NpyWriter.Header("<u8", 0, 3)],
        [.. NpyHeader.Build("<i2", [3, 1]), .. new byte[6]],
    ];

    /// <summary>Gets valid CSV files with a header.</summary>
    public static IReadOnlyList<byte[]> CsvCorpus { get; } =
    [
        Encoding.UTF8.GetBytes("a,b,c\n1,2.5,-3\n4,5e3,6\n"),
        Encoding.UTF8.GetBytes("x,\"y, z\"\r\n\"1\",\"2\"\r\n-0,1e-3\r\n"),
        Encoding.UTF8.GetBytes("\uFEFFlabel,p0,p1,p2,p3\n0,0,255,128,1\n1,1,2,3,4\n\n2,9,8,7,6"),
        Encoding.UTF8.GetBytes("h\ntrue\nfalse\n65504\n"),
    ];

    /// <summary>Gets valid CTF files for the streams <c>a:3</c>, <c>b:5:sparse</c>, <c>c:2:seq</c>.</summary>
    public static IReadOnlyList<byte[]> CtfCorpus { get; } =
    [
        Encoding.UTF8.GetBytes("|a 1 2 3 |b 0:1 4:2 |c 1 2\n|a 4 5 6 |b |c 3 4\n"),
        Encoding.UTF8.GetBytes("0 |a 1 1 1 |b 2:5 |c 1 1\n0 |c 2 2\n1 |a 0 0 0 |b 1:-1e3 |# comment\n1 |c 9 9\n"),
        Encoding.UTF8.GetBytes("|# header\r\n|a -1 2e3 7\t|b 3:0.5 |c 5 6\r\n\r\n|c 1 2 |b |a 1 2 3"),
    ];

    /// <summary>Gets valid serialized tf.train.Example messages, packed and unpacked.</summary>
    public static IReadOnlyList<byte[]> ExampleCorpus { get; } =
    [
        TfRecordWriter.EncodeExample(SampleFeatures(0)),
        TfRecordWriter.EncodeExample(SampleFeatures(3), packed: false),
        TfRecordWriter.EncodeExample(new Dictionary<string, object> { ["x"] = new[] { 1L, -1L, long.MaxValue }, ["b"] = new[] { new byte[] { 1 }, new byte[] { 2, 3 } } }),
    ];

    /// <summary>Gets valid TFRecord files (uncompressed) of one to three records.</summary>
    public static IReadOnlyList<byte[]> TfRecordCorpus { get; } =
    [
        Frame(ExampleCorpus[0]),
        [.. Frame(ExampleCorpus[0]), .. Frame(TfRecordWriter.EncodeExample(SampleFeatures(1))), .. Frame(TfRecordWriter.EncodeExample(SampleFeatures(2), packed: false))],
        [.. Frame(ExampleCorpus[2]), .. Frame(ExampleCorpus[2])],
    ];

    /// <summary>Gets the TFRecord corpus gzip-compressed, plus the uncompressed files (the target compresses those).</summary>
    public static IReadOnlyList<byte[]> GzipTfRecordCorpus { get; } = [.. TfRecordCorpus.Select(Gzip), .. TfRecordCorpus];

    /// <summary>Opens the case as a field of <c>--from npy</c>: header, dtype, shape and length checks.</summary>
    public void Npy(byte[] input)
    {
        string path = Write("case.npy", input);
        using IImporter importer = NpyImporter.Create(new PackArguments { From = "npy", Fields = [$"x={path}"] });
        _ = importer.Schema;
    }

    /// <summary>Reads the case as <c>--from csv</c> does, with one field per header column, dtypes in turn.</summary>
    public static void Csv(byte[] input)
    {
        using var reader = new CsvReader(new StreamReader(new MemoryStream(input), Encoding.UTF8, detectEncodingFromByteOrderMarks: true), "case.csv", maxRecordChars: 1 << 20);
        if (!reader.Read())
        {
            return;
        }

        string[] header = reader.ToArray();
        CsvImporter.ColumnField[] fields = [.. header.Select((_, i) => new CsvImporter.ColumnField($"f{i}", s_csvTypes[i % s_csvTypes.Length], [i]))];
        byte[] scratch = new byte[8];
        while (reader.Read())
        {
            CsvImporter.CheckColumnCount(reader, header.Length, "case.csv");
            foreach (CsvImporter.ColumnField field in fields)
            {
                field.ParseInto(reader, header, "case.csv", scratch);
            }
        }
    }

    /// <summary>Reads the case as <c>--from ctf --stream a:3 --stream b:5:sparse --stream c:2:seq</c> does: a counting pass, then a parsing pass.</summary>
    public static void Ctf(byte[] input)
    {
        CtfParser.StreamSpec[] streams = [new("a", 3, false, false), new("b", 5, true, false), new("c", 2, false, true)];
        var parser = new CtfParser("case.ctf", streams, maxRecordBytes: 1 << 20);
        foreach (bool countOnly in new[] { true, false })
        {
            using var reader = new LineReader(new StreamReader(new MemoryStream(input), Encoding.UTF8, detectEncodingFromByteOrderMarks: true), "case.ctf", 1 << 20);
            double sum = 0;
            CtfImporter.ReadSequences(reader, () => 0, parser, streams.Length, countOnly, (rows, _, _, _) =>
            {
                for (int i = 0; i < streams.Length; i++)
                {
                    foreach (float v in rows.Values(i))
                    {
                        sum += v;
                    }
                }
            });
        }
    }

    /// <summary>Opens the case as <c>--from tfrecord</c> (schema inferred from record 0), then reads and decodes every record.</summary>
    public void TfRecord(byte[] input) => ReadTfRecordFile(Write("case.tfrecord", input));

    /// <summary>As <see cref="TfRecord"/>, GZIP-compressing the case first unless it already is.</summary>
    public void GzipTfRecord(byte[] input) => ReadTfRecordFile(Write("case.tfrecord.gz", input is [0x1f, 0x8b, ..] ? input : Gzip(input)));

    /// <summary>Decodes the case as a tf.train.Example, then packs it framed as the one record of a TFRecord file.</summary>
    public void Example(byte[] input)
    {
        try
        {
            new TfExampleParser().Parse(input, input.Length);
        }
        catch (InvalidProtocolBufferException)
        {
            // The importer reports this as an InvalidDataException naming the record, which the framed run below checks.
        }

        ReadTfRecordFile(Write("example.tfrecord", Frame(input)));
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>Frames one record as TFRecord: length, masked CRC of the length, data, masked CRC of the data.</summary>
    public static byte[] Frame(byte[] data)
    {
        byte[] record = new byte[12 + data.Length + 4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(record, (ulong)data.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), TfRecordWriter.MaskedCrc(record.AsSpan(0, 8)));
        data.CopyTo(record, 12);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(12 + data.Length), TfRecordWriter.MaskedCrc(data));
        return record;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private static Dictionary<string, object> SampleFeatures(int r) => new()
    {
        ["name"] = new[] { Encoding.UTF8.GetBytes($"sample-{r}") },
        ["label"] = new[] { r / 4f },
        ["image"] = new[] { r, r + 0.5f, -r },
        ["id"] = new[] { (r * 1000L) - 7 },
    };

    private static void ReadTfRecordFile(string path)
    {
        using (IImporter importer = TfRecordImporter.Create(new PackArguments { From = "tfrecord", Input = path, MaxRecordBytes = 1 << 20 }))
        {
            _ = importer.Schema;
        }

        using var reader = new TfRecordReader(path, 1 << 20);
        var parser = new TfExampleParser();
        while (reader.TryReadNext(out ReadOnlySpan<byte> record))
        {
            try
            {
                parser.Parse(reader.Buffer, record.Length);
            }
            catch (InvalidProtocolBufferException)
            {
                // Wrapped by the importer; the schema-inferring open above runs that wrapping on record 0.
            }
        }
    }

    private string Write(string name, byte[] input)
    {
        string path = _dir.Combine(name);
        File.WriteAllBytes(path, input);
        return path;
    }
}
