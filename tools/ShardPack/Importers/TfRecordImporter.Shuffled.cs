using ShardPack.Importers.Internals;

namespace ShardPack.Importers;

/// <content>The second pass of <c>--shuffle-seed</c>: each record read where the index found it, in the shuffled order; errors name its original record number and byte offset.</content>
internal sealed partial class TfRecordImporter
{
    private void WriteShuffled(RecordIndex index, RecordShuffle shuffle, DatasetWriter writer, PackProgress progress, CancellationToken cancellationToken)
    {
        var reporting = new ShuffledProgress(progress, ProgressInterval, cancellationToken);
        for (long k = 0; k < index.Count; k++)
        {
            long record = shuffle.RecordAt(k);
            (long offset, int length, _) = index[record];
            ParseRecord(_reader.ReadAt(record, offset, length).Length);
            WriteRecord(writer);
            reporting.Add(length);
        }

        reporting.Finish(InputBytes);
    }
}
