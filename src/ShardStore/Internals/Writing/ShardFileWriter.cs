using Microsoft.Win32.SafeHandles;
using ShardStore.Format;
using ShardStore.Internals.Integrity;
using ShardStore.Internals.Publishing;

namespace ShardStore.Internals.Writing;

/// <summary>Appends encoded chunks to one shard file and finishes it with the chunk table, footer and header.</summary>
/// <remarks>
/// Flushing to disk runs on a background thread so the caller keeps writing: part-way through the shard, so the
/// disk works while chunks are still being compressed and the final flush has little left, and once more after
/// <see cref="Finish"/>, whose task closes the file.
/// </remarks>
internal sealed class ShardFileWriter : IDisposable
{
    private readonly string _path;
    private readonly IWriterFileSystem _fs;
    private readonly SafeFileHandle _handle;
    private readonly ShardHeader _headerTemplate;
    private readonly Action<SafeFileHandle> _flushToDisk;
    private readonly long _flushIntervalBytes;
    private readonly List<ChunkEntry> _entries = [];
    private long _end = FormatConstants.FirstChunkOffset;
    private long _samples;
    private long _rawBytes;
    private long _storedBytes;
    private long _unflushedBytes;
    private Task _flush = Task.CompletedTask;
    private bool _finished;
    private bool _disposed;

    /// <param name="path">The shard file to create.</param>
    /// <param name="schema">The dataset's schema.</param>
    /// <param name="index">The shard's index in the dataset.</param>
    /// <param name="firstSample">The dataset index of the shard's first sample.</param>
    /// <param name="fs">Creates and writes the file.</param>
    /// <param name="flushToDisk">Flushes the file to disk.</param>
    /// <param name="flushIntervalBytes">Bytes appended between the starts of two part-way flushes.</param>
    /// <param name="identity">The dataset's identity, written after the header.</param>
    public ShardFileWriter(string path, Schema schema, int index, long firstSample, IWriterFileSystem fs, Action<SafeFileHandle> flushToDisk, long flushIntervalBytes, DatasetIdentity identity)
    {
        _path = path;
        _fs = fs;
        _flushToDisk = flushToDisk;
        _flushIntervalBytes = flushIntervalBytes;
        _handle = fs.CreateFile(path);
        _headerTemplate = new ShardHeader(schema.Fingerprint, index, schema.Count, firstSample, 0, 0, identity);
    }

    public int ChunkCount => _entries.Count;

    public long FirstSample => _headerTemplate.FirstSample;

    /// <summary>Returns the file size if <paramref name="chunk"/> were appended and the shard then finished.</summary>
    public long ProjectedLength(EncodedChunk chunk) =>
        FormatConstants.AlignUp(FormatConstants.AlignUp(_end, FormatConstants.ChunkAlignment) + chunk.Stored.Length, FormatConstants.TableAlignment)
        + ((long)(_entries.Count + 1) * FormatConstants.ChunkEntrySize) + FormatConstants.FooterSize;

    /// <exception cref="IOException">Writing failed, or a background flush of this shard failed.</exception>
    public void Append(EncodedChunk chunk)
    {
        long offset = FormatConstants.AlignUp(_end, FormatConstants.ChunkAlignment);
        WritePadding(_end, offset);
        _fs.Write(_handle, chunk.Stored, offset);
        _entries.Add(new ChunkEntry(offset, chunk.Stored.Length, chunk.RawLength, _samples, chunk.SampleCount, chunk.Codec, chunk.Crc));
        _end = offset + chunk.Stored.Length;
        _samples += chunk.SampleCount;
        _rawBytes += chunk.RawLength;
        _storedBytes += chunk.Stored.Length;
        _unflushedBytes += chunk.Stored.Length;
        if (_unflushedBytes >= _flushIntervalBytes && _flush.IsCompleted)
        {
            _flush.GetAwaiter().GetResult();
            _flush = StartFlush(Task.CompletedTask, close: false);
            _unflushedBytes = 0;
        }
    }

    /// <summary>Writes table, footer and header, then flushes to disk and closes the file in the background.</summary>
    /// <param name="durable">Completes once the whole shard is on disk and the file is closed; faults when a flush failed.</param>
    /// <returns>The finished shard.</returns>
    public ShardInfo Finish(out Task durable)
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
        _fs.Write(_handle, tail, tableOffset);

        byte[] headerPage = new byte[FormatConstants.FirstChunkOffset];
        (_headerTemplate with { SampleCount = _samples, ChunkCount = _entries.Count }).Write(headerPage);
        _fs.Write(_handle, headerPage, 0);

        // The final flush follows a part-way one still running, so the task faults if either failed.
        _flush = StartFlush(_flush, close: true);
        _finished = true;
        durable = _flush;

        long length = tableOffset + tail.Length;
        return new ShardInfo(_headerTemplate.ShardIndex, Path.GetFileName(_path), _headerTemplate.FirstSample, _samples, _entries.Count, length, _rawBytes, _storedBytes, tableCrc);
    }

    /// <summary>Closes the file of an unfinished shard once no flush is running; after <see cref="Finish"/> the flush closes it.</summary>
    public void Dispose()
    {
        if (_disposed || _finished)
        {
            return;
        }

        _disposed = true;
        try
        {
            _flush.GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // The shard is being abandoned; a failed flush of it no longer matters.
        }

        _handle.Dispose();
    }

    // A dedicated thread, not the pool: a flush blocks for as long as the disk needs, and pool threads run the compression.
    private Task StartFlush(Task previous, bool close) => Task.Factory.StartNew(
        () =>
        {
            try
            {
                previous.GetAwaiter().GetResult();
                _flushToDisk(_handle);
            }
            finally
            {
                if (close)
                {
                    _handle.Dispose();
                }
            }
        },
        CancellationToken.None,
        TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach,
        TaskScheduler.Default);

    // Padding is written, not left as a hole, so files are plain (not sparse) and byte-identical everywhere.
    private void WritePadding(long from, long to)
    {
        if (to > from)
        {
            Span<byte> zeros = stackalloc byte[FormatConstants.ChunkAlignment];
            zeros.Clear();
            _fs.Write(_handle, zeros[..(int)(to - from)], from);
        }
    }
}
