using System.Globalization;

namespace ShardPack.Importers.Internals;

/// <summary>
/// The first pass of <c>--shuffle-seed</c> for inputs of variable-length records (csv, ctf, tfrecord, the files
/// manifest): where each record lies in the file, in input order, so that the second pass can read the records in the
/// shuffled order with positioned reads. Record <c>i</c> of the index is the input's record <c>i</c> (its ordinal).
/// </summary>
/// <remarks>
/// Each record costs <see cref="BytesPerRecord"/> bytes: an 8-byte offset and a 4-byte length (12 bytes), plus the
/// 8-byte line on which it starts for text inputs (20 bytes), so that an error in a shuffled record still names its
/// line. 100 M CSV rows take 2 GB. Storage grows in segments of <see cref="SegmentRecords"/> records, never by copying
/// the whole index. The index may take at most <see cref="DefaultMaxBytes"/> (half the memory available to the process);
/// a larger input is refused, with an error that says so, during the first pass and so before any sample is written.
/// </remarks>
internal sealed class RecordIndex
{
    /// <summary>Records per storage segment.</summary>
    public const int SegmentRecords = 1 << 16;

    private readonly string _path;
    private readonly long _maxBytes;
    private readonly List<long[]> _offsets = [];
    private readonly List<int[]> _lengths = [];
    private readonly List<long[]>? _lines;

    /// <summary>Creates an empty index of the records of <paramref name="path"/>, with their lines when <paramref name="withLines"/>.</summary>
    /// <param name="path">The input, for messages.</param>
    /// <param name="withLines">Whether each record keeps the line it starts on (text inputs).</param>
    /// <param name="maxBytes">The most bytes the index may take; <see cref="DefaultMaxBytes"/> unless a test sets a smaller one.</param>
    public RecordIndex(string path, bool withLines, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        _path = path;
        _maxBytes = maxBytes;
        _lines = withLines ? [] : null;
        BytesPerRecord = withLines ? 20 : 12;
    }

    /// <summary>Gets half of the memory available to the process (the machine's, or its container's limit): the most an index may take.</summary>
    public static long DefaultMaxBytes => Math.Max(1, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2);

    /// <summary>Gets the bytes of memory one record costs: 12, or 20 with its line.</summary>
    public int BytesPerRecord { get; }

    /// <summary>Gets the number of records indexed.</summary>
    public long Count { get; private set; }

    /// <summary>Adds the next record: it occupies <paramref name="length"/> bytes from <paramref name="offset"/> and starts on <paramref name="line"/> (0 without lines).</summary>
    /// <exception cref="InvalidDataException">The index would grow past its limit, or the record is longer than one read can hold.</exception>
    public void Add(long offset, long length, long line = 0)
    {
        long? shownLine = _lines is null ? null : line;
        if (length > Array.MaxLength)
        {
            throw DataErrors.Create(
                $"the record spans {length} bytes; --shuffle-seed reads a record at most {Array.MaxLength} bytes long. Pack this input without --shuffle-seed.",
                _path,
                line: shownLine,
                record: _lines is null ? Count : null,
                byteOffset: offset);
        }

        if ((Count + 1) * BytesPerRecord > _maxBytes)
        {
            throw DataErrors.Create(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"the input has more than {Count} records; --shuffle-seed keeps {BytesPerRecord} bytes per record in memory, and more than {Count} would take more than its limit of {_maxBytes} bytes (half the memory available). Pack it without --shuffle-seed and shuffle when loading (window or random order), or split it into inputs of fewer records."),
                _path,
                line: shownLine,
                record: _lines is null ? Count : null);
        }

        int slot = (int)(Count % SegmentRecords);
        if (slot == 0)
        {
            _offsets.Add(new long[SegmentRecords]);
            _lengths.Add(new int[SegmentRecords]);
            _lines?.Add(new long[SegmentRecords]);
        }

        _offsets[^1][slot] = offset;
        _lengths[^1][slot] = (int)length;
        if (_lines is not null)
        {
            _lines[^1][slot] = line;
        }

        Count++;
    }

    /// <summary>Returns where record <paramref name="record"/> lies and the line it starts on (0 without lines).</summary>
    public (long Offset, int Length, long Line) this[long record]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((ulong)record, (ulong)Count, nameof(record));
            int segment = (int)(record / SegmentRecords), slot = (int)(record % SegmentRecords);
            return (_offsets[segment][slot], _lengths[segment][slot], _lines is null ? 0 : _lines[segment][slot]);
        }
    }
}
