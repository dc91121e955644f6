using System.Globalization;
using ShardPack.Importers.Internals;

namespace ShardPack.Importers;

/// <summary>
/// Imports CNTK Text Format: one field per <c>--stream NAME:DIM[:sparse][:seq]</c>, in option order. Lines that share a
/// leading sequence id form one sample; a line without an id is a sample of its own. A stream with exactly one row in
/// every sample is a fixed <c>f32[DIM]</c> field; otherwise (or with <c>:seq</c>) a variable-length <c>f32</c> field of
/// rows x DIM values. A first, counting pass over the file decides which; sparse rows are expanded to DIM dense values.
/// With <c>--shuffle-seed</c> the first pass also finds where each sample lies, and the second reads the samples (not
/// the lines) in the shuffled order.
/// </summary>
internal sealed partial class CtfImporter : IImporter
{
    private const string Syntax = "NAME:DIM[:sparse][:seq]";
    private const int ProgressInterval = 1024;

    private readonly string _path;
    private readonly int _maxLineChars;
    private readonly CtfParser.StreamSpec[] _streams;
    private readonly CtfParser _parser;
    private readonly ShuffledSamples? _shuffled;

    private CtfImporter(string path, CtfParser.StreamSpec[] streams, int maxLineChars, int maxRecordBytes, ulong? shuffleSeed)
    {
        _path = path;
        _maxLineChars = maxLineChars;
        _parser = new CtfParser(path, streams, maxRecordBytes);
        if (shuffleSeed is { } seed)
        {
            (_shuffled, _streams) = ShuffledSamples.Create(path, streams, _parser, maxLineChars, seed);
            InputBytes = _shuffled.File.Length;
        }
        else
        {
            using (FileStream probe = InputFile.Open(path, bufferSize: 1))
            {
                InputBytes = probe.Length;
            }

            _streams = FindSequenceStreams(path, streams, _parser, maxLineChars);
        }

        try
        {
            Schema = FieldSyntax.CreateSchema(_streams.Select(s => s.Sequence ? FieldSpec.Variable(s.Name, DType.F32) : FieldSpec.Fixed(s.Name, DType.F32, s.Dim)));
        }
        catch
        {
            _shuffled?.File.Dispose();
            throw;
        }
    }

    public Schema Schema { get; }

    public long InputBytes { get; }

    /// <exception cref="UsageException">No --input or --stream, a --stream that is not <c>NAME:DIM[:sparse][:seq]</c>, or --shuffle-seed for a UTF-16 file.</exception>
    /// <exception cref="InvalidDataException">The file names a stream that was not declared; with --shuffle-seed, any malformed line, or more samples than the index may hold.</exception>
    public static IImporter Create(PackArguments arguments)
    {
        string path = arguments.RequireInput();
        if (arguments.Streams.Count == 0)
        {
            throw new UsageException($"--from ctf needs one --stream {Syntax} per stream of the file.");
        }

        var streams = new CtfParser.StreamSpec[arguments.Streams.Count];
        for (int i = 0; i < streams.Length; i++)
        {
            streams[i] = ParseStream(arguments.Streams[i]);
        }

        if (streams.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new UsageException($"--stream '{duplicate.Key}' is given more than once.");
        }

        return new CtfImporter(path, streams, arguments.MaxLineBytes, arguments.MaxRecordBytes, arguments.ShuffleRecords ? arguments.ShuffleSeed : null);
    }

    public void WriteSamples(DatasetWriter writer, PackProgress progress, CancellationToken cancellationToken)
    {
        if (_shuffled is not null)
        {
            WriteShuffled(_shuffled, writer, progress, cancellationToken);
            return;
        }

        long reported = 0, pending = 0;
        ReadSequences(_path, _parser, _streams.Length, _maxLineChars, countOnly: false, (rows, startLine, _, position) =>
        {
            WriteSample(rows, startLine, writer);
            if (++pending == ProgressInterval)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress.Advance(pending, position - reported);
                reported = position;
                pending = 0;
            }
        });
        progress.Advance(pending, InputBytes - reported);
    }

    public void Dispose() => _shuffled?.File.Dispose();

    private void WriteSample(CtfParser.Rows rows, long startLine, DatasetWriter writer)
    {
        for (int i = 0; i < _streams.Length; i++)
        {
            if (!_streams[i].Sequence && rows.RowCount(i) != 1)
            {
                throw DataErrors.Create($"stream '{_streams[i].Name}' has {rows.RowCount(i)} rows in the sample starting here, and 1 in the first pass; was the file changed while packing?", _path, line: startLine);
            }

            writer.Write(i, rows.Values(i));
        }

        writer.EndSample();
    }

    private static CtfParser.StreamSpec ParseStream(string value)
    {
        string[] parts = FieldSyntax.Split(value, 2, 4, "--stream", Syntax);
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int dim) || dim <= 0)
        {
            throw new UsageException($"--stream '{value}': DIM '{parts[1]}' must be a positive integer; expected {Syntax}.");
        }

        bool sparse = false, sequence = false;
        foreach (string flag in parts.Skip(2))
        {
            switch (flag.ToLowerInvariant())
            {
                case "sparse": sparse = true; break;
                case "dense": sparse = false; break;
                case "seq": sequence = true; break;
                default: throw new UsageException($"--stream '{value}': unknown flag '{flag}'; expected {Syntax}.");
            }
        }

        return new CtfParser.StreamSpec(parts[0], dim, sparse, sequence);
    }

    // The schema must be known before the first sample is written, so a counting pass finds the streams with a sample of other than one row.
    private static CtfParser.StreamSpec[] FindSequenceStreams(string path, CtfParser.StreamSpec[] streams, CtfParser parser, int maxLineChars)
    {
        var sequence = streams.Select(s => s.Sequence).ToArray();
        if (sequence.All(s => s))
        {
            return streams;
        }

        ReadSequences(path, parser, streams.Length, maxLineChars, countOnly: true, (rows, _, _, _) =>
        {
            for (int i = 0; i < sequence.Length; i++)
            {
                sequence[i] |= rows.RowCount(i) != 1;
            }
        });
        return [.. streams.Select((s, i) => s with { Sequence = sequence[i] })];
    }

    private static void ReadSequences(string path, CtfParser parser, int streamCount, int maxLineChars, bool countOnly, Action<CtfParser.Rows, long, long, long> onSample)
    {
        using FileStream file = InputFile.Open(path, bufferSize: 1 << 16);
        using var reader = new LineReader(new StreamReader(file, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16), path, maxLineChars);
        ReadSequences(reader, () => file.Position, parser, streamCount, countOnly, onSample);
    }

    /// <summary>
    /// Groups the lines of <paramref name="reader"/> into samples and calls <paramref name="onSample"/> with each
    /// sample's rows, first line, last line and the input position; <paramref name="rows"/> is reused when given.
    /// </summary>
    /// <exception cref="InvalidDataException">A line is too long or malformed.</exception>
    internal static void ReadSequences(LineReader reader, Func<long> position, CtfParser parser, int streamCount, bool countOnly, Action<CtfParser.Rows, long, long, long> onSample, CtfParser.Rows? rows = null)
    {
        rows ??= new CtfParser.Rows(streamCount);
        rows.Clear();
        string? currentId = null;
        bool open = false;
        long startLine = 0, lastLine = 0;
        while (reader.TryReadLine(out ReadOnlySpan<char> line))
        {
            long lineNumber = reader.LineNumber;
            ReadOnlySpan<char> id = CtfParser.SequenceId(line);
            if (id.Length == 0 && !CtfParser.HasStreams(line))
            {
                continue; // blank or comment-only line
            }

            if (!open || id.Length == 0 || currentId is null || !id.SequenceEqual(currentId))
            {
                if (open)
                {
                    onSample(rows, startLine, lastLine, position());
                }

                rows.Clear();
                open = true;
                startLine = lineNumber;
                currentId = id.Length == 0 ? null : id.ToString();
            }

            parser.ParseLine(line, lineNumber, rows, countOnly);
            lastLine = lineNumber;
        }

        if (open)
        {
            onSample(rows, startLine, lastLine, position());
        }
    }
}
