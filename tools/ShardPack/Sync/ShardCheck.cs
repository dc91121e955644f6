using System.Buffers;
using ShardStore.Format;
using ShardStore.Internals.Integrity;

namespace ShardPack.Sync;

/// <summary>
/// Checks one shard file or object against the manifest that lists it: length, header, footer and chunk table (whose
/// CRC32C the manifest records, and which holds every chunk's CRC32C), and in full also every chunk's CRC32C.
/// </summary>
internal static class ShardCheck
{
    /// <summary>Checks the shard; with <paramref name="chunks"/> also reads every chunk and checks its CRC32C.</summary>
    /// <returns>Null when the shard is what the manifest lists; else the problem, naming the object, shard, chunk and byte offset.</returns>
    public static async Task<InvalidDataException?> CheckAsync(ISourceObject shard, ShardInfo info, DatasetManifest manifest, string uri, bool chunks, CancellationToken cancellationToken)
    {
        InvalidDataException Fail(string problem, long? chunk = null, long? offset = null) => DataErrors.Create(problem, uri, shard: info.Index, chunk: chunk, byteOffset: offset);

        if (shard.Length != info.FileBytes)
        {
            return Fail($"the shard has {shard.Length} bytes but the manifest lists {info.FileBytes}; it is truncated or from another dataset");
        }

        byte[] head = new byte[FormatConstants.HeaderReadSize];
        await shard.ReadAsync(0, head, cancellationToken).ConfigureAwait(false);
        if (ShardHeader.TryRead(head, out ShardHeader header) is { } headerProblem)
        {
            return Fail(headerProblem, offset: 0);
        }

        if (header.SchemaFingerprint != manifest.Schema.Fingerprint || header.ShardIndex != info.Index || header.FirstSample != info.FirstSample
            || header.SampleCount != info.SampleCount || header.ChunkCount != info.ChunkCount || header.Identity != manifest.Identity)
        {
            return Fail(
                $"the header (shard {header.ShardIndex}, samples {header.FirstSample}+{header.SampleCount}, {header.ChunkCount} chunks, identity {header.Identity}) does not match the manifest (shard {info.Index}, samples {info.FirstSample}+{info.SampleCount}, {info.ChunkCount} chunks, identity {manifest.Identity}); the file is from another dataset",
                offset: 0);
        }

        byte[] tail = new byte[FormatConstants.FooterSize];
        long footerOffset = shard.Length - FormatConstants.FooterSize;
        await shard.ReadAsync(footerOffset, tail, cancellationToken).ConfigureAwait(false);
        if (ShardFooter.TryRead(tail, out ShardFooter footer) is { } footerProblem)
        {
            return Fail(footerProblem, offset: footerOffset);
        }

        long tableLength = (long)info.ChunkCount * FormatConstants.ChunkEntrySize;
        if (footer.ChunkCount != info.ChunkCount || footer.TableOffset != footerOffset - tableLength || footer.TableOffset < FormatConstants.FirstChunkOffset)
        {
            return Fail($"the footer places {footer.ChunkCount} chunk-table entries at byte {footer.TableOffset}; the manifest lists {info.ChunkCount} chunks in {info.FileBytes} bytes", offset: footerOffset);
        }

        byte[] table = new byte[tableLength];
        await shard.ReadAsync(footer.TableOffset, table, cancellationToken).ConfigureAwait(false);
        uint tableCrc = Crc32C.Compute(table);
        if (tableCrc != footer.TableCrc || tableCrc != info.TableCrc32C)
        {
            return Fail($"chunk-table CRC32C mismatch (computed 0x{tableCrc:X8}, footer 0x{footer.TableCrc:X8}, manifest 0x{info.TableCrc32C:X8})", offset: footer.TableOffset);
        }

        var entries = new ChunkEntry[info.ChunkCount];
        long end = FormatConstants.FirstChunkOffset, samples = 0, stored = 0, raw = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            long at = footer.TableOffset + ((long)i * FormatConstants.ChunkEntrySize);
            if (ChunkEntry.TryRead(table.AsSpan(i * FormatConstants.ChunkEntrySize), out ChunkEntry entry) is { } entryProblem)
            {
                return Fail(entryProblem, i, at);
            }

            if (entry.Offset < end || entry.Offset % FormatConstants.ChunkAlignment != 0 || entry.StoredSize > footer.TableOffset - entry.Offset
                || entry.FirstSample != samples || entry.SampleCount < 1 || entry.StoredSize > Array.MaxLength)
            {
                return Fail($"the chunk-table entry (bytes {entry.Offset}+{entry.StoredSize}, samples {entry.FirstSample}+{entry.SampleCount}) overlaps, is misaligned, lies past the table or breaks the sample order", i, at);
            }

            entries[i] = entry;
            end = entry.End;
            samples += entry.SampleCount;
            stored += entry.StoredSize;
            raw += entry.RawSize;
        }

        if (samples != info.SampleCount || stored != info.StoredBytes || raw != info.RawBytes)
        {
            return Fail($"the chunk table holds {samples} samples, {stored} stored and {raw} raw bytes; the manifest lists {info.SampleCount}, {info.StoredBytes} and {info.RawBytes}", offset: footer.TableOffset);
        }

        return chunks ? await CheckChunksAsync(shard, entries, Fail, cancellationToken).ConfigureAwait(false) : null;
    }

    private static async Task<InvalidDataException?> CheckChunksAsync(ISourceObject shard, ChunkEntry[] entries, Func<string, long?, long?, InvalidDataException> fail, CancellationToken cancellationToken)
    {
        for (int i = 0; i < entries.Length; i++)
        {
            ChunkEntry entry = entries[i];
            byte[] buffer = ArrayPool<byte>.Shared.Rent((int)entry.StoredSize);
            try
            {
                Memory<byte> bytes = buffer.AsMemory(0, (int)entry.StoredSize);
                await shard.ReadAsync(entry.Offset, bytes, cancellationToken).ConfigureAwait(false);
                uint crc = Crc32C.Compute(bytes.Span);
                if (crc != entry.Crc)
                {
                    return fail($"chunk CRC32C mismatch (stored 0x{entry.Crc:X8}, computed 0x{crc:X8}); the shard is corrupt, re-pack or restore it", i, entry.Offset);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        return null;
    }
}
