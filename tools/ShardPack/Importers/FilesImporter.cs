namespace ShardPack.Importers;

/// <summary>
/// <c>--from files --manifest FILE.csv --path-column COL [--field NAME:DTYPE:COLUMNS ...]</c>: one sample per row
/// of a manifest CSV; the bytes of the file the row names become the variable-length u8 field <c>data</c>, and
/// each <c>--field</c> is a typed label read from the row's columns (same syntax as <c>--from csv</c>).
/// </summary>
/// <remarks>
/// Paths are relative to the manifest's directory unless absolute. Files are read one at a time into a reused
/// buffer; the manifest is streamed.
/// </remarks>
internal sealed class FilesImporter : IImporter
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

    private FilesImporter(string manifest, FileStream stream, CsvReader reader, string[] header, int pathColumn, CsvImporter.ColumnField[] labels)
    {
        _manifest = manifest;
        _baseDirectory = Path.GetDirectoryName(Path.GetFullPath(manifest)) ?? Directory.GetCurrentDirectory();
        _stream = stream;
        _reader = reader;
        _header = header;
        _pathColumn = pathColumn;
        _labels = labels;
        Schema = FieldSyntax.CreateSchema([FieldSpec.Bytes(DataField), .. labels.Select(l => l.ToSpec())]);
    }

    /// <inheritdoc />
    public Schema Schema { get; }

    /// <summary>Gets the manifest's size; progress follows the manifest, since the files' total is unknown up front.</summary>
    public long InputBytes => _stream.Length;

    /// <summary>Opens the manifest and reads its header.</summary>
    /// <exception cref="UsageException">No --manifest or --path-column, or a column the header lacks.</exception>
    /// <exception cref="InvalidDataException">The manifest has no header row.</exception>
    public static IImporter Create(PackArguments arguments)
    {
        string manifest = arguments.Manifest ?? throw new UsageException("--from files needs --manifest FILE.csv listing one file per row.");
        string pathColumnName = arguments.PathColumn ?? throw new UsageException("--from files needs --path-column COL naming the manifest column that holds each file's path.");
        (FileStream stream, CsvReader reader, string[] header) = CsvImporter.OpenWithHeader(manifest);
        try
        {
            int pathColumn = Array.IndexOf(header, pathColumnName);
            if (pathColumn < 0)
            {
                throw new UsageException(
                    $"--path-column '{pathColumnName}': no such column in the header of '{manifest}'; it has: {string.Join(", ", header.Take(8).Select(h => $"'{h}'"))}{(header.Length > 8 ? ", ..." : string.Empty)}.");
            }

            CsvImporter.ColumnField[] labels = [.. arguments.Fields.Select(f => CsvImporter.ParseField(f, header, manifest))];
            return new FilesImporter(manifest, stream, reader, header, pathColumn, labels);
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
        long reportedBytes = 0, pendingRows = 0;
        while (_reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            CsvImporter.CheckColumnCount(_reader, _header.Length, _manifest);

            // Parse the labels first so a bad label is reported before any file is read.
            for (int i = 0; i < _labels.Length; i++)
            {
                _labels[i].ParseInto(_reader, _header, _manifest, labels);
                writer.Write<byte>(i + 1, labels.AsSpan(0, _labels[i].BytesPerSample));
            }

            int length = ReadFile(_reader[_pathColumn].ToString(), ref data);
            writer.Write<byte>(0, data.AsSpan(0, length));
            writer.EndSample();
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

    /// <inheritdoc />
    public void Dispose() => _reader.Dispose();

    private int ReadFile(string relativePath, ref byte[] buffer)
    {
        if (relativePath.Trim().Length == 0)
        {
            throw DataErrors.Create($"column '{_header[_pathColumn]}' is empty; each row must name a file.", _manifest, line: _reader.Line);
        }

        string fullPath = Path.Combine(_baseDirectory, relativePath);
        FileStream file;
        try
        {
            file = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw DataErrors.Create(
                $"the file '{relativePath}' in column '{_header[_pathColumn]}' does not exist (looked for '{fullPath}'); paths are relative to the manifest's directory.",
                _manifest,
                line: _reader.Line,
                innerException: e);
        }

        using (file)
        {
            long length = file.Length;
            if (length > Array.MaxLength)
            {
                throw DataErrors.Create($"the file '{relativePath}' is {length} bytes; a sample holds at most {Array.MaxLength}.", _manifest, line: _reader.Line);
            }

            if (length > buffer.Length)
            {
                buffer = new byte[Math.Min(Array.MaxLength, Math.Max(length, (long)buffer.Length * 2))];
            }

            int read = file.ReadAtLeast(buffer.AsSpan(0, (int)length), (int)length, throwOnEndOfStream: false);
            if (read != length)
            {
                throw DataErrors.Create($"the file '{relativePath}' shrank while it was read ({read} of {length} bytes).", _manifest, line: _reader.Line);
            }

            return read;
        }
    }
}
