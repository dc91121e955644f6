using Microsoft.Win32.SafeHandles;
using ShardStore.Format;

namespace ShardStore.Internals;

/// <summary>Appends encoded chunks to one shard file and finishes it with the chunk table, footer and header.</summary>
internal sealed class ShardFileWriter : IDisposable
{
    private readonly string _path;
    private readonly SafeFileHandle _handle;
    private readonly ShardHeader _headerTemplate;
    private readonly List<ChunkEntry> _entries = [];
    private long _end = FormatConstants.FirstChunkOffset;
    private long _samples;
    private long _rawBytes;
    private long _storedBytes;

    public ShardFileWriter(string path, Schema schema, int index, long firstSample)
    {
        _path = path;
        _handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        _headerTemplate = new ShardHeader(schema.Fingerprint, index, schema.Count, firstSample, 0, 0);
    }

    public int ChunkCount => _entries.Count;

    public long FirstSample => _headerTemplate.FirstSample;

    /// <summary>Returns the file size if <paramref name="chunk"/> were appended and the shard then finished.</summary>
    public long ProjectedLength(EncodedChunk chunk) =>
        FormatConstants.AlignUp(FormatConstants.AlignUp(_end, FormatConstants.ChunkAlignment) + chunk.Stored.Length, FormatConstants.TableAlignment)
        + ((long)(_entries.Count + 1) * FormatConstants.ChunkEntrySize) + FormatConstants.FooterSize;

    public void Append(EncodedChunk chunk)
    {
        long offset = FormatConstants.AlignUp(_end, FormatConstants.ChunkAlignment);
        WritePadding(_end, offset);
        RandomAccess.Write(_handle, chunk.Stored, offset);
        _entries.Add(new ChunkEntry(offset, chunk.Stored.Length, chunk.RawLength, _samples, chunk.SampleCount, chunk.Codec, chunk.Crc));
        _end = offset + chunk.Stored.Length;
        _samples += chunk.SampleCount;
        _rawBytes += chunk.RawLength;
        _storedBytes += chunk.Stored.Length;
    }

    /// <summary>Writes table, footer and header, flushes to disk, and describes the finished shard.</summary>
    public ShardInfo Finish()
    {
        long tableOffset = FormatConstants.AlignUp(_end, FormatConstants.TableAlignment);
        WritePadding(_end, tableOffset);
        byte[] tail = new byte[(_entries.Count * FormatConstants.ChunkEntrySize) + FormatConstants.FooterSize];
        for (int i = 0; i < _entries.Count; i++)
        {
            _entries[i].Write(tail.AsSpan(i * FormatConstants.ChunkEntrySize));
        }

        int tableLength = _entries.Count * FormatConstants.ChunkEntrySize;
        uint tableCrc = Crc32C.Compute(tail.AsSpan(0, tableLength));
        new ShardFooter(tableOffset, _entries.Count, tableCrc).Write(tail.AsSpan(tableLength));
        RandomAccess.Write(_handle, tail, tableOffset);

        byte[] headerPage = new byte[FormatConstants.FirstChunkOffset];
        (_headerTemplate with { SampleCount = _samples, ChunkCount = _entries.Count }).Write(headerPage);
        RandomAccess.Write(_handle, headerPage, 0);
        RandomAccess.FlushToDisk(_handle);

        long length = tableOffset + tail.Length;
        return new ShardInfo(_headerTemplate.ShardIndex, Path.GetFileName(_path), _headerTemplate.FirstSample, _samples, _entries.Count, length, _rawBytes, _storedBytes, tableCrc);
    }

    public void Dispose() => _handle.Dispose();

    // Padding is written, not left as a hole, so files are plain (not sparse) and byte-identical everywhere.
    private void WritePadding(long from, long to)
    {
        if (to > from)
        {
            Span<byte> zeros = stackalloc byte[FormatConstants.ChunkAlignment];
            zeros.Clear();
            RandomAccess.Write(_handle, zeros[..(int)(to - from)], from);
        }
    }
}
