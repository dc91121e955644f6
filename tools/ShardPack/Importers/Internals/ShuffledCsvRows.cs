namespace ShardPack.Importers.Internals;

/// <summary>
/// The rows of a CSV file (the csv importer's input, the files importer's manifest) in the order of
/// <c>--shuffle-seed</c>. The first pass reads every record with <see cref="CsvReader"/>, so quoted fields that span
/// lines, CRLF and empty lines are found as the unshuffled pack finds them, and keeps where each record lies and the
/// line it starts on (<see cref="RecordIndex"/>); each row is then read again with a positioned read and parsed on its
/// own by a <see cref="CsvReader"/> whose lines are numbered as in the file, so errors name the original line.
/// </summary>
internal sealed class ShuffledCsvRows : IDisposable
{
    private readonly string _path;
    private readonly RecordIndex _index;
    private readonly RecordShuffle _shuffle;
    private readonly RecordText _text;
    private long _line;

    private ShuffledCsvRows(string path, FileStream stream, RecordIndex index, RecordShuffle shuffle, int maxRecordChars)
    {
        _path = path;
        _index = index;
        _shuffle = shuffle;
        _text = new RecordText(stream.SafeFileHandle, path);
        Row = new CsvReader(_text, path, maxRecordChars);
    }

    /// <summary>Gets the number of rows.</summary>
    public long Count => _index.Count;

    /// <summary>Gets the reader positioned on the row last loaded; its <see cref="CsvReader.Line"/> is the row's line in the file.</summary>
    public CsvReader Row { get; }

    /// <summary>Reads the rest of <paramref name="reader"/> (after the header) to index its records, and returns them in the order of <paramref name="seed"/>.</summary>
    /// <exception cref="InvalidDataException">A record is malformed, or the index would take more than <paramref name="maxIndexBytes"/>.</exception>
    /// <exception cref="UsageException">The file is UTF-16 or UTF-32.</exception>
    public static ShuffledCsvRows Index(string path, FileStream stream, CsvReader reader, int maxRecordChars, ulong seed, long maxIndexBytes)
    {
        var lines = new LineStarts(stream.SafeFileHandle, path);
        var index = new RecordIndex(path, withLines: true, maxIndexBytes);
        while (reader.Read())
        {
            long start = lines.StartOf(reader.Line);
            long end = lines.StartOf(reader.EndLine + 1);
            index.Add(start, end - start, reader.Line);
        }

        return new ShuffledCsvRows(path, stream, index, new RecordShuffle(index.Count, seed), maxRecordChars);
    }

    /// <summary>Reads the row packed as sample <paramref name="k"/> and positions <see cref="Row"/> on it.</summary>
    /// <returns>The row's length in bytes.</returns>
    /// <exception cref="InvalidDataException">The row is malformed, or no longer where the first pass found it.</exception>
    public int Load(long k)
    {
        (long offset, int length, long line) = _index[_shuffle.RecordAt(k)];
        _line = line;
        _text.Load(offset, length, line);
        Row.Restart(line);
        if (!Row.Read() || Row.Line != line)
        {
            throw Changed(offset);
        }

        return length;
    }

    /// <summary>Checks that nothing follows the row loaded last where the first pass found only that row.</summary>
    /// <exception cref="InvalidDataException">Another record follows: the file was changed.</exception>
    public void CheckEnd()
    {
        if (Row.Read())
        {
            throw Changed(offset: null);
        }
    }

    /// <inheritdoc />
    public void Dispose() => Row.Dispose();

    private InvalidDataException Changed(long? offset) =>
        DataErrors.Create("the row is not where the first pass of --shuffle-seed found it; was the file changed while packing?", _path, line: _line, byteOffset: offset);
}
