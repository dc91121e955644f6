using ShardPack.Importers.Internals;

namespace ShardPack.Importers;

/// <content>The second pass of <c>--shuffle-seed</c>: each row read where the first pass found it, in the shuffled order.</content>
internal sealed partial class CsvImporter
{
    private void WriteShuffled(ShuffledCsvRows rows, DatasetWriter writer, PackProgress progress, byte[] scratch, CancellationToken cancellationToken)
    {
        var reporting = new ShuffledProgress(progress, ProgressRows, cancellationToken);
        for (long k = 0; k < rows.Count; k++)
        {
            long bytes = rows.Load(k);
            WriteRow(rows.Row, writer, scratch);
            rows.CheckEnd();
            reporting.Add(bytes);
        }

        reporting.Finish(_stream.Length);
    }
}
