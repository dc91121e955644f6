using ShardPack.Importers.Internals;

namespace ShardPack.Importers;

/// <content>The second pass of <c>--shuffle-seed</c>: each manifest row read where the first pass found it, in the shuffled order.</content>
internal sealed partial class FilesImporter
{
    private void WriteShuffled(ShuffledCsvRows rows, DatasetWriter writer, PackProgress progress, byte[] labels, ref byte[] data, CancellationToken cancellationToken)
    {
        long reportedBytes = 0, pendingBytes = 0, pendingRows = 0;
        for (long k = 0; k < rows.Count; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            pendingBytes += rows.Load(k);
            WriteRow(rows.Row, writer, labels, ref data);
            rows.CheckEnd();
            if (++pendingRows == ProgressRows)
            {
                progress.Advance(pendingRows, pendingBytes);
                reportedBytes += pendingBytes;
                pendingBytes = pendingRows = 0;
            }
        }

        progress.Advance(pendingRows, Math.Max(0, _stream.Length - reportedBytes));
    }
}
