using ShardStore.Format;
using ShardStore.Internals.Reading;
using ShardStore.Internals.Sources;

namespace ShardStore;

/// <summary>
/// The zero padding of format v1, which no checksum covers: after the header up to the first chunk, between chunks, and
/// between the last chunk and the table. <see cref="Verify"/> reads it; a byte that is not zero means the file was
/// modified (or written by something else than a v1 writer).
/// </summary>
public sealed partial class ShardDataset
{
    private const int PaddingReadBytes = FormatConstants.ChunkAlignment;

    // Returns the first non-zero padding byte of a shard as a problem, or null. A remote shard's padding between chunks
    // is not read: it would cost one request per chunk; its header padding is.
    private InvalidDataException? CheckPadding(int shard, CancellationToken cancellationToken)
    {
        ShardFile file = _shards[shard];
        OpenShard open = _open.Acquire(file);
        try
        {
            var gaps = new List<(long Start, long End)> { (FormatConstants.HeaderReadSize, FormatConstants.FirstChunkOffset) };
            if (!_source.IsRemote)
            {
                long end = FormatConstants.FirstChunkOffset;
                foreach (ChunkEntry entry in file.Entries)
                {
                    gaps.Add((end, entry.Offset));
                    end = entry.End;
                }

                gaps.Add((end, open.Length - FormatConstants.FooterSize - ((long)file.ChunkCount * FormatConstants.ChunkEntrySize)));
            }

            Span<byte> buffer = stackalloc byte[PaddingReadBytes];
            foreach ((long start, long end) in gaps)
            {
                cancellationToken.ThrowIfCancellationRequested();
                for (long offset = start; offset < end;)
                {
                    Span<byte> piece = buffer[..(int)Math.Min(buffer.Length, end - offset)];
                    int read = open.Read(offset, piece);
                    if (read == 0)
                    {
                        return DataErrors.Create(
                            $"the shard file ends at byte {offset}, inside its padding, but had {open.Length} bytes when opened; it was truncated",
                            file.Path,
                            shard,
                            byteOffset: offset);
                    }

                    int nonZero = piece[..read].IndexOfAnyExcept((byte)0);
                    if (nonZero >= 0)
                    {
                        return DataErrors.Create(
                            $"padding byte {offset + nonZero} is 0x{piece[nonZero]:X2}, not zero (format v1 pads with zeros, and no checksum covers padding); the file was modified",
                            file.Path,
                            shard,
                            byteOffset: offset + nonZero);
                    }

                    offset += read;
                }
            }

            return null;
        }
        finally
        {
            open.Release();
        }
    }
}
