using ShardPack.Importers.Internals;

namespace ShardPack.Importers;

/// <content>The second pass of <c>--shuffle-seed</c>: each manifest row read where the first pass found it, in the shuffled order.</content>
internal sealed partial class FilesImporter
{
    private void WriteShuffled(ShuffledCsvRows rows, DatasetWriter writer, PackProgress progress, byte[] labels, ref byte[] data, CancellationToken cancellationToken)
    {
        var reporting = new ShuffledProgress(progress, ProgressRows, cancellationToken);
        for (long k = 0; k < rows.Count; k++)
        {
            // Each row reads a whole file: look for cancellation at every one.
            cancellationToken.ThrowIfCancellationRequested();
            long bytes = rows.Load(k);
            WriteRow(rows.Row, writer, labels, ref data);
            rows.CheckEnd();
            reporting.Add(bytes);
        }

        reporting.Finish(_stream.Length);
    }
}
