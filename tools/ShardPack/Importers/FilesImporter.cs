using System.Diagnostics;
using ShardPack.Internals;
using ShardPack.Importers.Internals;

namespace ShardPack.Importers;

/// <summary>
/// <c>--from files --manifest FILE.csv --path-column COL [--field NAME:DTYPE:COLUMNS ...]</c>: one sample per row
/// of a manifest CSV; the bytes of the file the row names become the variable-length u8 field <c>data</c>, and
/// each <c>--field</c> is a typed label read from the row's columns (same syntax as <c>--from csv</c>). With
/// <c>--store</c> or <c>--max-side</c> every file must be a JPEG or PNG image, converted as for <c>--from imagefolder</c>
/// (<c>--store raw</c> adds the i32 fields <c>height</c> and <c>width</c> after the labels).
/// </summary>
/// <remarks>
/// Paths are relative to the manifest's directory unless absolute, and must lead (once every symbolic link is
/// followed) to a regular file inside that directory unless outside paths are allowed. Files are read to their end,
/// whatever size they reported, one at a time into a reused buffer that grows as bytes arrive up to the record limit;
/// the manifest is streamed, or with <c>--shuffle-seed</c> read twice (<see cref="ShuffledCsvRows"/>) so that its rows
/// are packed in the shuffled order.
/// </remarks>
internal sealed partial class FilesImporter : IImporter, IImporterReport
{
    /// <summary>The name of the field holding each file's bytes.</summary>
    public const string DataField = "data";

    private const int ProgressRows = 256;

    private readonly string _manifest;
    private readonly string _baseDirectory;
    private readonly FileStream _stream;
    private readonly CsvReader _reader;
    private readonly string[] _header;
    private readonly int _pathColumn;
    private readonly CsvImporter.ColumnField[] _labels;
    private readonly string _realBaseDirectory;
    private readonly bool _allowOutsidePaths;
    private readonly int _maxFileBytes;
    private readonly ImageConverter? _converter;
    private readonly List<string> _notes = [];
    private readonly ShuffledCsvRows? _shuffled;

    // The manifest line of the row being packed, for errors.
    private long _line;

    private FilesImporter(string manifest, FileStream stream, CsvReader reader, string[] header, int pathColumn, CsvImporter.ColumnField[] labels, PackArguments arguments, ShuffledCsvRows? shuffled)
    {
        _manifest = manifest;
        _shuffled = shuffled;
        _baseDirectory = Path.GetDirectoryName(Path.GetFullPath(manifest)) ?? Directory.GetCurrentDirectory();
        _realBaseDirectory = RealPath.Resolve(_baseDirectory);
        _allowOutsidePaths = arguments.AllowOutsidePaths;
        _maxFileBytes = arguments.MaxRecordBytes;
        _stream = stream;
        _reader = reader;
        _header = header;
        _pathColumn = pathColumn;
        _labels = labels;
        _converter = arguments.ConvertsImages ? new ImageConverter(arguments.Store ?? ImageStore.Original, arguments.MaxSide, arguments.JpegQuality) : null;
        Schema = FieldSyntax.CreateSchema(
            [FieldSpec.Bytes(DataField), .. labels.Select(l => l.ToSpec()), .. _converter?.Store == ImageStore.Raw ? ImageFields.RawSize : []]);
        Metadata = _converter is null ? new Dictionary<string, string>() : ImageFields.CreateMetadata(_converter, arguments);
    }

    /// <inheritdoc />
    public Schema Schema { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> Notes => _notes;

    /// <inheritdoc />
    public IReadOnlyList<string> Warnings => [];

    /// <summary>Gets the manifest's size; progress follows the manifest, since the files' total is unknown up front.</summary>
    public long InputBytes => _stream.Length;

    /// <summary>Opens the manifest and reads its header.</summary>
    /// <exception cref="UsageException">No --manifest or --path-column, a column the header lacks, or --shuffle-seed for a UTF-16 manifest.</exception>
    /// <exception cref="InvalidDataException">The manifest has no header row; with --shuffle-seed, a malformed row, or more rows than the index may hold.</exception>
    public static IImporter Create(PackArguments arguments)
    {
        string manifest = arguments.Manifest ?? throw new UsageException("--from files needs --manifest FILE.csv listing one file per row.");
        string pathColumnName = arguments.PathColumn ?? throw new UsageException("--from files needs --path-column COL naming the manifest column that holds each file's path.");
        (FileStream stream, CsvReader reader, string[] header) = CsvImporter.OpenWithHeader(manifest, arguments.MaxLineBytes);
        try
        {
            int pathColumn = Array.IndexOf(header, pathColumnName);
            if (pathColumn < 0)
            {
                throw new UsageException(
                    $"--path-column '{pathColumnName}': no such column in the header of '{manifest}'; it has: {string.Join(", ", header.Take(8).Select(h => $"'{h}'"))}{(header.Length > 8 ? ", ..." : string.Empty)}.");
            }

            CsvImporter.ColumnField[] labels = [.. arguments.Fields.Select(f => CsvImporter.ParseField(f, header, manifest))];
            ShuffledCsvRows? shuffled = arguments.ShuffleRecords
                ? ShuffledCsvRows.Index(manifest, stream, reader, arguments.MaxLineBytes, arguments.ShuffleSeed, RecordIndex.DefaultMaxBytes)
                : null;
            return new FilesImporter(manifest, stream, reader, header, pathColumn, labels, arguments, shuffled);
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
        byte[] labels = new byte[_labels.Length == 0 ? 0 : _labels.Max(l => l.BytesPerSample)];
        byte[] data = new byte[64 * 1024];
        if (_shuffled is not null)
        {
            WriteShuffled(_shuffled, writer, progress, labels, ref data, cancellationToken);
        }
        else
        {
            WriteInOrder(writer, progress, labels, ref data, cancellationToken);
        }

        if (_converter is not null)
        {
            ImageFields.AddConversionNotes(_converter, _notes);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _reader.Dispose();
        _shuffled?.Dispose();
        _converter?.Dispose();
    }

    private void WriteInOrder(DatasetWriter writer, PackProgress progress, byte[] labels, ref byte[] data, CancellationToken cancellationToken)
    {
        long reportedBytes = 0, pendingRows = 0;
        while (_reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            WriteRow(_reader, writer, labels, ref data);
            if (++pendingRows == ProgressRows)
            {
                long position = _stream.Position;
                progress.Advance(pendingRows, position - reportedBytes);
                reportedBytes = position;
                pendingRows = 0;
            }
        }

        progress.Advance(pendingRows, _stream.Length - reportedBytes);
    }

    // One sample from the row `row` is on: its labels, then the file it names; errors name the row's line.
    private void WriteRow(CsvReader row, DatasetWriter writer, byte[] labels, ref byte[] data)
    {
        _line = row.Line;
        CsvImporter.CheckColumnCount(row, _header.Length, _manifest);

        // Parse the labels first so a bad label is reported before any file is read.
        for (int i = 0; i < _labels.Length; i++)
        {
            _labels[i].ParseInto(row, _header, _manifest, labels);
            writer.Write<byte>(i + 1, labels.AsSpan(0, _labels[i].BytesPerSample));
        }

        string path = row[_pathColumn].ToString();
        int length = ReadFile(path, ref data);
        if (_converter is null)
        {
            writer.Write<byte>(0, data.AsSpan(0, length));
        }
        else
        {
            WriteImage(writer, path, data.AsSpan(0, length));
        }

        writer.EndSample();
    }

    private void WriteImage(DatasetWriter writer, string relativePath, ReadOnlySpan<byte> file)
    {
        Debug.Assert(_converter is not null);
        ReadOnlySpan<byte> image;
        ShardStore.Images.Codecs.ImageSize size;
        try
        {
            image = _converter.Convert(file, out size);
        }
        catch (InvalidDataException e)
        {
            throw Error($"the file '{relativePath}' is not a valid image ({e.Message.TrimEnd('.')}); --store and --max-side need JPEG or PNG files.", e);
        }

        writer.Write<byte>(0, image);
        if (_converter.Store == ImageStore.Raw)
        {
            writer.WriteScalar(_labels.Length + 1, size.Height);
            writer.WriteScalar(_labels.Length + 2, size.Width);
        }
    }

    private int ReadFile(string relativePath, ref byte[] buffer)
    {
        string column = _header[_pathColumn];
        if (relativePath.Trim().Length == 0)
        {
            throw Error($"column '{column}' is empty; each row must name a file.");
        }

        string fullPath = Path.Combine(_baseDirectory, relativePath);
        string realPath;
        try
        {
            realPath = RealPath.Resolve(fullPath);
        }
        catch (IOException e)
        {
            throw Error($"the file '{relativePath}' in column '{column}' cannot be resolved: {e.Message}", e);
        }

        if (!_allowOutsidePaths && !RealPath.IsSameOrInside(realPath, _realBaseDirectory))
        {
            throw Error(
                $"the file '{relativePath}' in column '{column}' leads outside the manifest's folder (to '{realPath}'); paths must stay inside '{_realBaseDirectory}' (absolute paths, '..' and symbolic links count), or pass --allow-outside-paths.");
        }

        FileStream? file;
        string? notRegular;
        try
        {
            file = InputFile.TryOpen(realPath, bufferSize: 0, out notRegular);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw Error(
                $"the file '{relativePath}' in column '{column}' does not exist (looked for '{fullPath}'); paths are relative to the manifest's directory.",
                e);
        }

        if (file is null)
        {
            throw Error($"the file '{relativePath}' in column '{column}' is {notRegular}, not a regular file; only regular files can be packed.");
        }

        using (file)
        {
            return ReadToEnd(file, relativePath, ref buffer);
        }
    }

    // Reads to end of file rather than to the size the file reported: a file that grows while read is read whole, and
    // one that reports no size (as files under /proc do) is not taken for empty.
    private int ReadToEnd(FileStream file, string relativePath, ref byte[] buffer)
    {
        int got = 0;
        while (true)
        {
            if (got == buffer.Length)
            {
                if (got > _maxFileBytes)
                {
                    throw Error($"the file '{relativePath}' is larger than the {_maxFileBytes}-byte limit of one sample; raise --max-record-bytes to pack it.");
                }

                Array.Resize(ref buffer, (int)Math.Min(_maxFileBytes + 1L, Math.Max(buffer.Length * 2L, 64 * 1024)));
            }

            int read = file.Read(buffer, got, buffer.Length - got);
            if (read == 0)
            {
                break;
            }

            got += read;
        }

        if (got > _maxFileBytes)
        {
            throw Error($"the file '{relativePath}' is larger than the {_maxFileBytes}-byte limit of one sample; raise --max-record-bytes to pack it.");
        }

        return got;
    }

    private InvalidDataException Error(string problem, Exception? inner = null) => DataErrors.Create(problem, _manifest, line: _line, innerException: inner);
}
