using System.Text;
using ShardPack.Importers.Internals;

namespace ShardPack.Importers;

/// <content>
/// <c>--shuffle-seed</c>: the first pass counts rows as <see cref="FindSequenceStreams"/> does and finds where each
/// sample (the lines of one sequence id) lies; the second reads each sample there, in the shuffled order, and parses
/// its lines numbered as in the file, so errors name the original line.
/// </content>
internal sealed partial class CtfImporter
{
    private void WriteShuffled(ShuffledSamples samples, DatasetWriter writer, PackProgress progress, CancellationToken cancellationToken)
    {
        var text = new RecordText(samples.File.SafeFileHandle, _path);
        var reader = new LineReader(text, _path, _maxLineChars);
        var rows = new CtfParser.Rows(_streams.Length);
        var reporting = new ShuffledProgress(progress, ProgressInterval, cancellationToken);
        for (long k = 0; k < samples.Index.Count; k++)
        {
            (long offset, int length, long line) = samples.Index[samples.Shuffle.RecordAt(k)];
            text.Load(offset, length, line);
            reader.Restart(line);
            int found = 0;
            ReadSequences(reader, () => 0, _parser, _streams.Length, countOnly: false, (sample, startLine, _, _) =>
            {
                if (++found > 1 || startLine != line)
                {
                    throw Changed(line, offset);
                }

                WriteSample(sample, startLine, writer);
            }, rows);
            if (found != 1)
            {
                throw Changed(line, offset);
            }

            reporting.Add(length);
        }

        reporting.Finish(InputBytes);
    }

    private InvalidDataException Changed(long line, long offset) =>
        DataErrors.Create("the sample is not where the first pass of --shuffle-seed found it; was the file changed while packing?", _path, line: line, byteOffset: offset);

    /// <summary>The open input, where each of its samples lies, and the order they are packed in.</summary>
    private sealed record ShuffledSamples(FileStream File, RecordIndex Index, RecordShuffle Shuffle)
    {
        /// <summary>Opens the file and reads it once: decides which streams are sequences and indexes every sample.</summary>
        /// <exception cref="InvalidDataException">A line is malformed, or the index would exceed its limit.</exception>
        /// <exception cref="UsageException">The file is UTF-16 or UTF-32.</exception>
        public static (ShuffledSamples Samples, CtfParser.StreamSpec[] Streams) Create(string path, CtfParser.StreamSpec[] streams, CtfParser parser, int maxLineChars, ulong seed)
        {
            FileStream file = InputFile.Open(path, bufferSize: 1 << 16);
            try
            {
                var lines = new LineStarts(file.SafeFileHandle, path);
                var index = new RecordIndex(path, withLines: true, RecordIndex.DefaultMaxBytes);
                bool[] sequence = [.. streams.Select(s => s.Sequence)];
                using (var reader = new LineReader(new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true), path, maxLineChars))
                {
                    ReadSequences(reader, () => 0, parser, streams.Length, countOnly: true, (rows, firstLine, lastLine, _) =>
                    {
                        for (int i = 0; i < sequence.Length; i++)
                        {
                            sequence[i] |= rows.RowCount(i) != 1;
                        }

                        long start = lines.StartOf(firstLine);
                        index.Add(start, lines.StartOf(lastLine + 1) - start, firstLine);
                    });
                }

                return (new ShuffledSamples(file, index, new RecordShuffle(index.Count, seed)), [.. streams.Select((s, i) => s with { Sequence = sequence[i] })]);
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }
    }
}
