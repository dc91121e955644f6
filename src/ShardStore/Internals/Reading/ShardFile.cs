using System.Diagnostics;
using System.Buffers;
using System.Runtime.CompilerServices;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Internals.Integrity;
using ShardStore.Internals.Sources;

namespace ShardStore.Internals.Reading;

/// <summary>Reads up to <c>destination.Length</c> bytes of a shard at <paramref name="offset"/>; returns how many, 0 at its end.</summary>
internal delegate int ReadAt(long offset, Span<byte> destination);

/// <summary>One shard of an open dataset: its validated chunk table and, while it is in the dataset's open set, the open shard.</summary>
internal sealed class ShardFile
{
    /// <summary>The most bytes open reads from the end of a shard at once, the chunk table with the footer; a larger table is read on its own.</summary>
    public const int MaxTailReadBytes = 1 << 20;

    // The table is filled before the shard is constructed and read-only after; the verified flags are Volatile.
    private readonly ChunkTableRun _table;

    private ShardFile(string path, ShardInfo info, ChunkTableRun table, long maxRawBytes, long maxDecodedBytes, DatasetIdentity datasetIdentity)
    {
        Path = path;
        DatasetIdentity = datasetIdentity;
        Info = info;
        _table = table;
        MaxRawBytes = maxRawBytes;
        MaxDecodedBytes = maxDecodedBytes;
    }

    public string Path { get; }

    public ShardInfo Info { get; }

    /// <summary>Gets the identity of the dataset the shard belongs to (checked against the manifest at open).</summary>
    public DatasetIdentity DatasetIdentity { get; }

    /// <summary>Gets the validated chunk table: each chunk's first sample within the shard is strictly increasing from 0.</summary>
    public ReadOnlySpan<ChunkEntry> Entries => _table.Entries;

    public int ChunkCount => _table.Count;

    /// <summary>Gets the raw size of the largest chunk, compressed or not (0 when there is none).</summary>
    public long MaxRawBytes { get; }

    /// <summary>Gets the raw size of the largest compressed chunk (0 when every chunk is stored uncompressed).</summary>
    public long MaxDecodedBytes { get; }

    /// <summary>Gets or sets the open shard while it is in the dataset's open set (guarded by the dataset's lock).</summary>
    public OpenShard? Open { get; set; }

    public LinkedListNode<ShardFile>? LruNode { get; set; }

    public bool IsVerified(int chunk) => Volatile.Read(ref _table.Flag(chunk)) != 0;

    public void MarkVerified(int chunk) => Volatile.Write(ref _table.Flag(chunk), 1);

    /// <summary>Returns the chunk holding <paramref name="sample"/>, a sample index within the shard below its sample count.</summary>
    public int ChunkOf(long sample)
    {
        ReadOnlySpan<ChunkEntry> entries = Entries;
        int lo = 0;
        for (int hi = entries.Length - 1; lo < hi;)
        {
            int mid = (int)((uint)(lo + hi + 1) >> 1);
            if (entries[mid].FirstSample <= sample)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    /// <summary>
    /// Checks header, footer and chunk table of a shard of <paramref name="length"/> bytes (its length at open, which
    /// the caller compared with the manifest) against the manifest, reading them through <paramref name="read"/>,
    /// before anything is handed out; the table goes into <paramref name="tables"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The shard is truncated, corrupt, disagrees with the manifest, or belongs to another dataset.</exception>
    /// <exception cref="NotSupportedException">A chunk uses a codec that <paramref name="codecs"/> does not supply.</exception>
    public static ShardFile Validate(string path, ShardInfo info, Schema schema, DatasetIdentity identity, IChunkCodecProvider? codecs, ReadAt read, long length, ChunkTableArena tables)
    {
        if (length != info.FileBytes || length == 0)
        {
            throw LengthDiffers(path, info, length);
        }

        return ValidateLayout(path, info, schema, identity, codecs, read, length, tables);
    }

    private static InvalidDataException LengthDiffers(string path, ShardInfo info, long actual) =>
        Fail(path, info, $"the file has {actual} bytes but the manifest says {info.FileBytes}; it is truncated or was replaced");

    private static ShardFile ValidateLayout(string path, ShardInfo info, Schema schema, DatasetIdentity identity, IChunkCodecProvider? codecs, ReadAt read, long length, ChunkTableArena tables)
    {
        if (length < FormatConstants.MinShardLength)
        {
            throw Fail(path, info, $"the file has {length} bytes, fewer than the smallest shard ({FormatConstants.MinShardLength})");
        }

        // The footer and, with it, the table as long as the manifest says it is, unless that is large: a shard then
        // costs two reads, this and the header's. The footer decides where the table is; when the manifest was wrong,
        // the table is read on its own.
        long expectedTail = ((long)info.ChunkCount * FormatConstants.ChunkEntrySize) + FormatConstants.FooterSize;
        int tailLength = expectedTail <= Math.Min(length, MaxTailReadBytes) ? (int)expectedTail : FormatConstants.FooterSize;
        long tailOffset = length - tailLength;
        byte[] tailBuffer = ArrayPool<byte>.Shared.Rent(tailLength);
        byte[]? tableBuffer = null;
        try
        {
            Span<byte> tail = tailBuffer.AsSpan(0, tailLength);
            ReadExactly(path, info, read, tail, tailOffset);
            string? problem = ShardFooter.TryRead(tail[^FormatConstants.FooterSize..], out ShardFooter footer);
            if (problem is not null)
            {
                throw Fail(path, info, problem, length - FormatConstants.FooterSize);
            }

            Span<byte> headerBytes = stackalloc byte[FormatConstants.HeaderReadSize];
            ReadExactly(path, info, read, headerBytes, 0);
            problem = ShardHeader.TryRead(headerBytes, out ShardHeader header);
            if (problem is not null)
            {
                throw Fail(path, info, problem, 0);
            }

            long tableLength = footer.ChunkCount * FormatConstants.ChunkEntrySize;
            if (footer.TableOffset < FormatConstants.FirstChunkOffset || footer.TableOffset % FormatConstants.TableAlignment != 0
                || footer.ChunkCount > length / FormatConstants.ChunkEntrySize
                || footer.TableOffset + tableLength + FormatConstants.FooterSize != length)
            {
                throw Fail(path, info, $"the chunk table ({footer.ChunkCount} entries at byte {footer.TableOffset}) does not end where the footer starts", length - FormatConstants.FooterSize);
            }

            if (header.ChunkCount != footer.ChunkCount)
            {
                throw Fail(path, info, $"the header counts {header.ChunkCount} chunks but the footer {footer.ChunkCount}", 0);
            }

            // Every chunk holds at least one byte at its own 4 KiB-aligned offset before the table, so no more chunks
            // fit than 4 KiB pages there: checked before the table is read, so a footer cannot make open read or
            // allocate much.
            long maxChunks = MaxChunks(footer.TableOffset);
            if (footer.ChunkCount > maxChunks)
            {
                throw Fail(path, info, $"the footer declares {footer.ChunkCount} chunks, more than the {maxChunks} that fit before the chunk table at byte {footer.TableOffset}", length - FormatConstants.FooterSize);
            }

            Span<byte> table;
            if (footer.TableOffset >= tailOffset)
            {
                table = tail.Slice((int)(footer.TableOffset - tailOffset), (int)tableLength);
            }
            else
            {
                tableBuffer = ArrayPool<byte>.Shared.Rent((int)tableLength);
                table = tableBuffer.AsSpan(0, (int)tableLength);
                ReadExactly(path, info, read, table, footer.TableOffset);
            }

            return Validate(path, info, schema, identity, codecs, header, footer, table, tables);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(tailBuffer);
            if (tableBuffer is not null)
            {
                ArrayPool<byte>.Shared.Return(tableBuffer);
            }
        }
    }

    // Reads the bytes at offset; the length was checked, so a short read means the file shrank while open.
    private static void ReadExactly(string path, ShardInfo info, ReadAt read, Span<byte> destination, long offset)
    {
        for (int done = 0; done < destination.Length;)
        {
            int count = read(offset + done, destination[done..]);
            if (count == 0)
            {
                throw Fail(path, info, $"the file ended at byte {offset + done} while being read; it was truncated", offset + done);
            }

            done += count;
        }
    }

    // Checks the chunk table and the totals against header, footer and manifest.
    private static ShardFile Validate(string path, ShardInfo info, Schema schema, DatasetIdentity identity, IChunkCodecProvider? codecs, ShardHeader header, ShardFooter footer, ReadOnlySpan<byte> table, ChunkTableArena tables)
    {
        uint tableCrc = Crc32C.Compute(table);
        if (tableCrc != footer.TableCrc)
        {
            throw Fail(path, info, $"chunk table CRC32C mismatch (stored 0x{footer.TableCrc:X8}, computed 0x{tableCrc:X8})", footer.TableOffset);
        }

        if (header.Identity != identity)
        {
            throw Fail(
                path,
                info,
                $"the shard belongs to another dataset: its header says dataset {header.Identity}, the manifest {identity}; files of different packs were mixed, re-pack or restore the dataset",
                FormatConstants.IdentityOffset);
        }

        Disagree(path, info, header.SchemaFingerprint == schema.Fingerprint, $"schema fingerprint {header.SchemaFingerprint:x16} differs from the manifest's {schema.Fingerprint:x16}");
        Disagree(path, info, header.ShardIndex == info.Index && header.FieldCount == schema.Count, $"the header says shard {header.ShardIndex} with {header.FieldCount} fields");
        Disagree(path, info, header.FirstSample == info.FirstSample, $"the header's first sample is {header.FirstSample}, the manifest's {info.FirstSample}");
        Disagree(path, info, header.SampleCount == info.SampleCount, $"the header counts {header.SampleCount} samples, the manifest {info.SampleCount}");
        Disagree(path, info, footer.ChunkCount == info.ChunkCount, $"the file has {footer.ChunkCount} chunks, the manifest says {info.ChunkCount}");
        Disagree(path, info, footer.TableCrc == info.TableCrc32C, $"the chunk table CRC32C is {footer.TableCrc:x8}, the manifest says {info.TableCrc32C:x8}");

        bool allFixed = schema.Fields.All(f => !f.IsVariable);
        ChunkTableRun run = tables.Take((int)footer.ChunkCount);
        Span<ChunkEntry> entries = run.Entries;
        long nextSample = 0;
        long minOffset = FormatConstants.FirstChunkOffset;
        long raw = 0, stored = 0, maxRaw = 0, maxDecoded = 0;
        var minRaw = new MinRawSize(schema);
        for (int i = 0; i < entries.Length; i++)
        {
            // Parsed and checked where it stays.
            ref ChunkEntry e = ref entries[i];
            string? problem = ChunkEntry.TryRead(table.Slice(i * FormatConstants.ChunkEntrySize, FormatConstants.ChunkEntrySize), out e);
            if (problem is null && CheckEntry(in e, minOffset, footer.TableOffset, nextSample, ref minRaw, allFixed, codecs) is var broken and not ChunkEntryProblem.None)
            {
                problem = Describe(broken, in e, minOffset, footer.TableOffset, nextSample, schema, allFixed, codecs);
            }

            if (problem is not null)
            {
                long entryOffset = footer.TableOffset + ((long)i * FormatConstants.ChunkEntrySize);
                throw DataErrors.Create($"bad chunk-table entry: {problem}", path, info.Index, i, entryOffset);
            }

            nextSample += e.SampleCount;
            minOffset = e.End;
            raw += e.RawSize;
            stored += e.StoredSize;
            maxRaw = Math.Max(maxRaw, e.RawSize);
            maxDecoded = e.Codec == CodecKind.None ? maxDecoded : Math.Max(maxDecoded, e.RawSize);
        }

        Disagree(path, info, nextSample == header.SampleCount, $"the chunks hold {nextSample} samples but the header counts {header.SampleCount}");
        Disagree(path, info, raw == info.RawBytes && stored == info.StoredBytes, $"the chunks hold {raw} raw / {stored} stored bytes, the manifest says {info.RawBytes} / {info.StoredBytes}");
        return new ShardFile(path, info, run, maxRaw, maxDecoded, identity);
    }

    // The rules every entry meets, in the order their problems are reported; no message is built here, so checking
    // 768,000 entries costs no more than the comparisons.
    private static ChunkEntryProblem CheckEntry(in ChunkEntry e, long minOffset, long tableOffset, long expectedFirst, ref MinRawSize minRawSize, bool allFixed, IChunkCodecProvider? codecs)
    {
        if (e.Offset % FormatConstants.ChunkAlignment != 0 || e.Offset < minOffset)
        {
            return ChunkEntryProblem.Offset;
        }

        if (e.StoredSize < 1 || e.StoredSize > Array.MaxLength)
        {
            return ChunkEntryProblem.StoredSize;
        }

        if (e.StoredSize > tableOffset - e.Offset)
        {
            return ChunkEntryProblem.PastTable;
        }

        if (e.SampleCount < 1 || e.FirstSample != expectedFirst)
        {
            return ChunkEntryProblem.Samples;
        }

        long minRaw = minRawSize.Of(e.SampleCount);
        if (e.RawSize > Array.MaxLength || e.RawSize < minRaw || (allFixed && e.RawSize != minRaw))
        {
            return ChunkEntryProblem.RawSize;
        }

        if (e.Codec == CodecKind.None)
        {
            return e.RawSize == e.StoredSize ? ChunkEntryProblem.None : ChunkEntryProblem.UncompressedSizes;
        }

        if (codecs is null || !codecs.TryGetCodec(e.Codec, out ChunkCodec? codec))
        {
            throw CodecMissing(e.Codec);
        }

        // The writer stores a chunk compressed only when that makes it smaller, so a compressed chunk is smaller than raw.
        if (e.StoredSize >= e.RawSize)
        {
            return ChunkEntryProblem.NotSmaller;
        }

        return e.RawSize <= codec.GetMaxDecodedLength(e.StoredSize) ? ChunkEntryProblem.None : ChunkEntryProblem.DecompressionBomb;
    }

    private static string Describe(ChunkEntryProblem problem, in ChunkEntry e, long minOffset, long tableOffset, long expectedFirst, Schema schema, bool allFixed, IChunkCodecProvider? codecs)
    {
        long minRaw = ChunkLayout.ComputeRawSize(schema, e.SampleCount, default);
        return problem switch
        {
            ChunkEntryProblem.Offset => $"offset {e.Offset} is not 4 KiB aligned or overlaps the header or the previous chunk (which ends at {minOffset})",
            ChunkEntryProblem.StoredSize => $"stored size {e.StoredSize} is outside [1, {Array.MaxLength}], the sizes a reader handles",
            ChunkEntryProblem.PastTable => $"{e.StoredSize} stored bytes at offset {e.Offset} run past the chunk table at {tableOffset}",
            ChunkEntryProblem.Samples => $"it holds samples {e.FirstSample}..+{e.SampleCount}, expected to start at {expectedFirst} with at least one",
            ChunkEntryProblem.RawSize => $"raw size {e.RawSize} cannot hold {e.SampleCount} samples of this schema (expected {(allFixed ? string.Empty : "at least ")}{minRaw})",
            ChunkEntryProblem.UncompressedSizes => $"an uncompressed chunk has raw size {e.RawSize} but stored size {e.StoredSize}",
            ChunkEntryProblem.NotSmaller => $"a {CodecNames.GetName(e.Codec)} chunk's stored size {e.StoredSize} is not smaller than its raw size {e.RawSize}",
            _ => codecs!.TryGetCodec(e.Codec, out ChunkCodec? codec)
                ? $"raw size {e.RawSize} is more than {CodecNames.GetName(e.Codec)} can expand {e.StoredSize} stored bytes to (at most {codec.GetMaxDecodedLength(e.StoredSize)}); refusing a decompression bomb"
                : throw new UnreachableException(),
        };
    }

    private static NotSupportedException CodecMissing(CodecKind codec) =>
        new($"The dataset has {CodecNames.GetName(codec)} chunks; set ShardDatasetOptions.Codecs to NativeCodecs.Provider (ShardStore.Codecs) to read them.");

    /// <summary>The most chunks that fit before a table at <paramref name="tableOffset"/>: one per 4 KiB page from the first chunk offset on.</summary>
    public static long MaxChunks(long tableOffset) =>
        (tableOffset - FormatConstants.FirstChunkOffset + FormatConstants.ChunkAlignment - 1) / FormatConstants.ChunkAlignment;

    private static void Disagree(string path, ShardInfo info, bool agrees, [InterpolatedStringHandlerArgument(nameof(agrees))] ref FailureMessage problem)
    {
        if (!agrees)
        {
            throw Fail(path, info, $"the shard disagrees with the manifest: {problem.ToStringAndClear()}");
        }
    }

    private static InvalidDataException Fail(string path, ShardInfo info, string problem, long? offset = null) =>
        DataErrors.Create(problem, path, info.Index, byteOffset: offset);
}
