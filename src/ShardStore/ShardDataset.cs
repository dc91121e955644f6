using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Internals.Integrity;
using ShardStore.Internals.Memory;
using ShardStore.Internals.Publishing;
using ShardStore.Internals.Reading;
using ShardStore.Internals.Sources;
using ShardStore.Storage;

namespace ShardStore;

/// <summary>An open, read-only dataset: the manifest, every shard's validated chunk table, and random access to chunks and samples.</summary>
/// <remarks>
/// Opening maps each shard and checks its header, footer and chunk table against the file and the manifest,
/// at a cost proportional to shards and chunks, never to samples. Reads are thread-safe. Chunks stored
/// uncompressed are handed out zero-copy over the mapping; compressed chunks are decoded into pinned
/// buffers under <see cref="ShardDatasetOptions.DecodeBudgetBytes"/>, and recently decoded chunks are kept
/// for reuse within that budget.
/// </remarks>
public sealed partial class ShardDataset : IDisposable
{
    // Immutable after open; the open set and the cache guard their own state.
    private readonly DatasetSource _source;
    private readonly ShardFile[] _shards;
    private readonly long[] _shardStarts;
    private readonly ShardDatasetOptions _options;
    private readonly ChunkBufferPool _pool;
    private readonly OpenShardSet _open;
    private readonly DecodedChunkCache _cache;

    // Interlocked.
    private long _liveLeases;
    private int _disposed;

    private ShardDataset(DatasetSource source, DatasetManifest manifest, string fingerprint, ShardFile[] shards, ShardDatasetOptions options)
    {
        _source = source;
        Directory = source.Location;
        Schema = manifest.Schema;
        SampleCount = manifest.SampleCount;
        Creator = manifest.Creator;
        Codec = manifest.Codec;
        Metadata = manifest.Metadata;
        Fingerprint = fingerprint;
        Identity = manifest.Identity.IsNone ? null : manifest.Identity.ToString();
        Shards = [.. shards.Select(s => s.Info)];
        _shards = shards;
        _shardStarts = [.. shards.Select(s => s.Info.FirstSample)];
        _options = options;
        _pool = new ChunkBufferPool(options.DecodeBudgetBytes);
        _cache = new DecodedChunkCache(_pool);
        _open = new OpenShardSet(source, options.MaxMappedShards);
        _open.AddOpened(shards);
        ChunkCount = shards.Sum(s => (long)s.ChunkCount);
    }

    /// <summary>Gets the full path of the dataset directory, or the location's URI for a dataset in an object store (<c>s3://bucket/prefix</c>).</summary>
    public string Directory { get; }

    /// <summary>
    /// Gets how chunks are read: <see cref="ShardReadMode.Mapped"/> or <see cref="ShardReadMode.Direct"/> (what
    /// <see cref="ShardReadMode.Auto"/> chose; always direct for a dataset in an object store).
    /// </summary>
    public ShardReadMode ReadMode => _source.Mode;

    /// <summary>
    /// Gets whether direct reads of a local dataset are asked to bypass the page cache (<see cref="ShardDatasetOptions.DirectIo"/>
    /// with <see cref="ShardReadMode.Direct"/>); a file system that refuses <c>O_DIRECT</c> still serves them from the page cache.
    /// </summary>
    public bool DirectIo => _source is LocalDatasetSource { DirectIo: true };

    /// <summary>Gets whether the dataset is read from an object store (<see cref="ShardDatasetOptions.ObjectStorage"/>).</summary>
    public bool IsRemote => _source.IsRemote;

    /// <summary>Gets how a dataset in an object store was read since it was opened (requests, bytes, cache counters); null for a local dataset.</summary>
    public RemoteReadStatistics? RemoteStatistics => (_source as RemoteDatasetSource)?.Fetcher is { } f
        ? new RemoteReadStatistics(f.Requests, f.BytesFetched, f.PrefetchHits, f.WaitTime, f.CacheWriteFailures, f.Cache?.Statistics)
        : null;

    /// <summary>Gets whether the dataset reads through a node-local chunk cache whose eviction a loader's plan orders (<see cref="ChunkCacheOptions.EvictByPlan"/>).</summary>
    internal bool CacheEvictsByPlan => _source is RemoteDatasetSource { EvictByPlan: true, Fetcher.Cache: not null };

    /// <summary>
    /// Sets the eviction order of the node-local cache to <paramref name="oracle"/> (a loader's plan), provided the
    /// current one is <paramref name="replacing"/> or none is set; a loader clears its own when it is disposed.
    /// </summary>
    internal void SetNextUse(Internals.Caching.INextUseOracle? oracle, Internals.Caching.INextUseOracle? replacing)
    {
        if ((_source as RemoteDatasetSource)?.Fetcher.Cache is { } cache && (cache.NextUse is null || cache.NextUse == replacing))
        {
            cache.NextUse = oracle;
        }
    }

    /// <summary>Gets the fields every sample has.</summary>
    public Schema Schema { get; }

    /// <summary>Gets the number of samples.</summary>
    public long SampleCount { get; }

    /// <summary>Gets the total number of chunks in all shards.</summary>
    public long ChunkCount { get; }

    /// <summary>Gets the shards, in sample order.</summary>
    public IReadOnlyList<ShardInfo> Shards { get; }

    /// <summary>Gets the name and version of the writer that created the dataset.</summary>
    public string Creator { get; }

    /// <summary>Gets the codec the dataset was packed with (single chunks that did not shrink are stored uncompressed).</summary>
    public CodecKind Codec { get; }

    /// <summary>Gets the user metadata stored in the manifest.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Gets a hex digest of the manifest (which holds every shard's table checksum); it changes when any byte of the data does.</summary>
    public string Fingerprint { get; }

    /// <summary>
    /// Gets the dataset's identity: 32 lower-case hex digits that its writer chose at random, recorded in the manifest
    /// and in every shard; null for a dataset written before identities existed. A re-pack gets a new identity.
    /// </summary>
    public string? Identity { get; }

    /// <summary>Gets the bytes of decode buffers allocated under the budget (rented or kept for reuse).</summary>
    public long DecodeBytesAllocated => _pool.AllocatedBytes;

    /// <summary>Gets the bytes of decode buffers held by leases or the decoded-chunk cache.</summary>
    public long DecodeBytesInUse => _pool.RentedBytes;

    /// <summary>Gets the number of chunk and sample leases not yet disposed.</summary>
    public long LiveLeases => Interlocked.Read(ref _liveLeases);

    /// <summary>Opens the dataset in <paramref name="directory"/>, or at a location of an object store.</summary>
    /// <param name="directory">
    /// A directory written by <see cref="DatasetWriter"/> (or <c>shardpack pack</c>), or a location such as
    /// <c>s3://bucket/prefix</c> that <see cref="ShardDatasetOptions.ObjectStorage"/> serves.
    /// </param>
    /// <param name="options">Codecs, checksum policy, read mode, storage and memory limits; null for the defaults.</param>
    /// <returns>The open dataset; dispose it to close every shard.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The manifest is missing, invalid or not a regular file, or a shard is missing, not a regular file, truncated,
    /// corrupt, disagrees with the manifest or belongs to another dataset; the message names the file and shard.
    /// </exception>
    /// <exception cref="NotSupportedException">
    /// Chunks use a codec that <see cref="ShardDatasetOptions.Codecs"/> does not supply, or the location is a URI that no
    /// <see cref="ShardDatasetOptions.ObjectStorage"/> serves.
    /// </exception>
    /// <exception cref="IOException">The object store did not answer before its deadline; the message names the object.</exception>
    /// <exception cref="ArgumentException">An option is out of range, or the decode budget cannot hold the largest chunk it must decode or copy.</exception>
    /// <exception cref="GenerationNotFoundException"><see cref="ShardDatasetOptions.Generation"/> is not a generation of the dataset; the message names the dataset and the generations it has.</exception>
    public static ShardDataset Open(string directory, ShardDatasetOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new ShardDatasetOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxMappedShards, 1, "options.MaxMappedShards");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DecodeBudgetBytes, 1, "options.DecodeBudgetBytes");
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ShardStore files are little-endian and this build reads and writes them on little-endian machines only.");
        }

        DatasetSource source = DatasetSource.Open(directory, options);
        ShardFile[]? shards = null;
        try
        {
            byte[] manifestBytes = source.ReadManifest(out string manifestName);
            DatasetManifest manifest = ManifestSerializer.Parse(manifestBytes, manifestName);
            DatasetManifest newest = manifest;
            (manifestBytes, manifest) = ReadGeneration(source, manifestBytes, manifest, options.Generation);
            string fingerprint = ManifestSerializer.Fingerprint(manifestBytes);
            shards = source.OpenShards(manifest, options.Codecs, options.MaxMappedShards);
            CheckShards(manifest, shards, options, copiesUncompressed: source.Mode != ShardReadMode.Mapped);
            return new ShardDataset(source, manifest, fingerprint, shards, options)
            {
                Generation = manifest.Generation,
                Generations = ListGenerations(newest, manifest, fingerprint),
            };
        }
        catch
        {
            foreach (ShardFile? s in shards ?? [])
            {
                s?.Open?.Release();
            }

            source.Dispose();
            throw;
        }
    }

    // Every shard holds samples, and the decode budget holds the largest chunk a read decodes (or, when nothing is mapped, copies).
    private static void CheckShards(DatasetManifest manifest, ShardFile[] shards, ShardDatasetOptions options, bool copiesUncompressed)
    {
        long largest = 0;
        int largestShard = -1;
        for (int i = 0; i < shards.Length; i++)
        {
            if (manifest.Shards[i].SampleCount == 0)
            {
                throw DataErrors.Create("the manifest lists a shard with no samples", shards[i].Path, i);
            }

            long shardLargest = copiesUncompressed ? shards[i].MaxRawBytes : shards[i].MaxDecodedBytes;
            if (shardLargest > largest)
            {
                largest = shardLargest;
                largestShard = i;
            }
        }

        if (largest > options.DecodeBudgetBytes)
        {
            throw new ArgumentException(
                $"ShardDatasetOptions.DecodeBudgetBytes ({options.DecodeBudgetBytes}) is smaller than the largest {(copiesUncompressed ? "" : "compressed ")}chunk ({largest} bytes, shard {largestShard}); raise it.",
                nameof(options));
        }
    }

    /// <summary>Gets the number of chunks in a shard.</summary>
    /// <param name="shard">Shard index.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shard"/> is out of range.</exception>
    public int GetChunkCount(int shard)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, _shards.Length);
        return _shards[shard].ChunkCount;
    }

    /// <summary>Finds the shard, chunk and position within the chunk of a global sample index.</summary>
    /// <param name="index">Global sample index.</param>
    /// <returns>Shard index, chunk index within the shard, and sample index within the chunk.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="SampleCount"/>.</exception>
    public (int Shard, int Chunk, int IndexInChunk) Locate(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, SampleCount);
        int shard = FloorIndex(_shardStarts, index);
        ShardFile file = _shards[shard];
        long local = index - file.Info.FirstSample;
        int chunk = file.ChunkOf(local);
        return (shard, chunk, (int)(local - file.Entries[chunk].FirstSample));
    }

    /// <summary>Reads one chunk: verifies its checksum (per <see cref="ShardDatasetOptions.Checksums"/>), decodes it if compressed, and checks its layout.</summary>
    /// <param name="shard">Shard index.</param>
    /// <param name="chunk">Chunk index within the shard.</param>
    /// <returns>A lease over the chunk's samples; dispose it when done with its spans.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    /// <exception cref="InvalidDataException">The chunk is corrupt; the message names file, shard, chunk and byte offset.</exception>
    /// <exception cref="InvalidOperationException">The decode budget is held entirely by live leases.</exception>
    /// <exception cref="ObjectDisposedException">The dataset was disposed.</exception>
    public ChunkLease ReadChunk(int shard, int chunk) => ReadChunk(shard, chunk, forceVerify: false);

    /// <summary>
    /// Reads every chunk, checking its CRC32C and layout whatever <see cref="ShardDatasetOptions.Checksums"/> says,
    /// on as many cores as the decode budget allows, and each shard's zero padding (which no checksum covers; for a
    /// remote dataset only the header's); returns one exception per bad chunk or padding, in shard and chunk order
    /// (a shard's padding first; empty when the data is intact).
    /// </summary>
    /// <remarks>
    /// Each worker holds one decoded chunk at a time, so at most <see cref="ShardDatasetOptions.DecodeBudgetBytes"/>
    /// divided by the largest decoded chunk run at once (at least one, at most one per core). A bad chunk does not
    /// stop the scan: every chunk is read and every bad one reported.
    /// </remarks>
    /// <param name="cancellationToken">Stops the scan.</param>
    /// <returns>The problems found; each message names file, shard, chunk and byte offset.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="InvalidOperationException">Leases held elsewhere keep the decode budget from holding even one chunk.</exception>
    /// <exception cref="ObjectDisposedException">The dataset was disposed.</exception>
    public IReadOnlyList<InvalidDataException> Verify(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var chunks = new List<(int Shard, int Chunk)>();
        long largestDecoded = 0;
        for (int s = 0; s < _shards.Length; s++)
        {
            ReadOnlySpan<ChunkEntry> entries = _shards[s].Entries;
            for (int c = 0; c < entries.Length; c++)
            {
                chunks.Add((s, c));
                if (entries[c].Codec != CodecKind.None)
                {
                    largestDecoded = Math.Max(largestDecoded, ChunkBufferPool.RoundUp(entries[c].RawSize));
                }
            }
        }

        // Uncompressed chunks are checked in place and take nothing from the budget.
        int workers = largestDecoded == 0
            ? Environment.ProcessorCount
            : (int)Math.Clamp(_pool.BudgetBytes / largestDecoded, 1, Environment.ProcessorCount);
        var problems = new System.Collections.Concurrent.ConcurrentBag<(int Shard, int Chunk, InvalidDataException Error)>();
        try
        {
            Parallel.ForEach(chunks, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = workers }, item =>
            {
                try
                {
                    ReadChunk(item.Shard, item.Chunk, forceVerify: true).Dispose();
                }
                catch (InvalidDataException e)
                {
                    problems.Add((item.Shard, item.Chunk, e));
                }
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Whatever stopped the scan is not a bad chunk; the caller sees it as itself, not wrapped.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }

        // Padding is covered by no checksum, so it is read here (ShardDataset.Padding.cs); listed before the shard's chunks.
        for (int s = 0; s < _shards.Length; s++)
        {
            try
            {
                if (CheckPadding(s, cancellationToken) is { } padding)
                {
                    problems.Add((s, -1, padding));
                }
            }
            catch (InvalidDataException e)
            {
                problems.Add((s, -1, e));
            }
        }

        return [.. problems.OrderBy(p => p.Shard).ThenBy(p => p.Chunk).Select(p => p.Error)];
    }

    private ChunkLease ReadChunk(int shard, int chunk, bool forceVerify)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, _shards.Length);
        ShardFile file = _shards[shard];
        ArgumentOutOfRangeException.ThrowIfNegative(chunk);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(chunk, file.ChunkCount);
        ChunkEntry entry = file.Entries[chunk];
        long firstSample = file.Info.FirstSample + entry.FirstSample;
        bool mapped = _source.Mode == ShardReadMode.Mapped;

        if ((entry.Codec != CodecKind.None || !mapped) && !forceVerify && _cache.TryGet(shard, chunk) is { } cached)
        {
            return new ChunkLease(this, cached, firstSample, entry.SampleCount, entry.Codec);
        }

        OpenShard open = _open.Acquire(file);
        try
        {
            if (open is not ShardMapping mapping)
            {
                return new ChunkLease(this, Copy(file, open, shard, chunk, entry, forceVerify), firstSample, entry.SampleCount, entry.Codec);
            }

            ReadOnlySpan<byte> stored = StoredBytes(file, mapping, shard, chunk, entry);
            bool verify = VerifyStored(file, shard, chunk, entry, stored, forceVerify);
            if (entry.Codec == CodecKind.None)
            {
                FieldSection[] sections = ParseLayout(file, shard, chunk, stored, validateOffsets: verify);
                file.MarkVerified(chunk);
                var lease = new ChunkLease(this, mapping, entry.Offset, stored.Length, sections, shard, chunk, firstSample, entry.SampleCount);
                open = null!;
                return lease;
            }

            DecodedChunk decoded = FillCached(shard, chunk, (int)entry.RawSize, destination =>
                DecodeCore(file, shard, chunk, entry, mapping.Slice(entry.Offset, (int)entry.StoredSize), destination));
            file.MarkVerified(chunk);
            return new ChunkLease(this, decoded, firstSample, entry.SampleCount, entry.Codec);
        }
        finally
        {
            open?.Release();
        }
    }

    // Reads a chunk from a source that cannot map it into a buffer of the decode budget (through a scratch buffer and
    // the codec when compressed), verified, and caches it.
    private DecodedChunk Copy(ShardFile file, OpenShard open, int shard, int chunk, ChunkEntry entry, bool forceVerify) =>
        FillCached(shard, chunk, (int)entry.RawSize, destination =>
        {
            byte[]? scratch = entry.Codec == CodecKind.None ? null : System.Buffers.ArrayPool<byte>.Shared.Rent((int)entry.StoredSize);
            try
            {
                return CopyChunk(file, open, shard, chunk, destination, scratch, forceVerify);
            }
            finally
            {
                if (scratch is not null)
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
                }
            }
        });

    // Fills a buffer of the decode budget with a chunk's raw bytes and caches it; the buffer goes back to the budget
    // when filling fails.
    private DecodedChunk FillCached(int shard, int chunk, int rawSize, Func<Span<byte>, FieldSection[]> fill)
    {
        byte[] buffer = _cache.RentBuffer(rawSize, LiveLeases);
        try
        {
            FieldSection[] sections = fill(buffer.AsSpan(0, rawSize));
            var decoded = new DecodedChunk(_pool, buffer, rawSize, sections, shard, chunk);
            buffer = null!;
            return _cache.Add(decoded);
        }
        finally
        {
            if (buffer is not null)
            {
                _pool.Return(buffer);
            }
        }
    }

    // A chunk's stored bytes in the mapping, after checking that the file still holds them: a page past the end
    // of a file truncated by another process would kill the process (SIGBUS) instead of raising an error.
    private static ReadOnlySpan<byte> StoredBytes(ShardFile file, ShardMapping mapping, int shard, int chunk, ChunkEntry entry)
    {
        long length = mapping.CurrentLength;
        if (length < entry.End)
        {
            throw DataErrors.Create(
                $"the shard file is now {length} bytes, shorter than the {mapping.Length} it had when opened; it was truncated while in use",
                file.Path,
                shard,
                chunk,
                entry.Offset);
        }

        return mapping.Slice(entry.Offset, (int)entry.StoredSize);
    }

    /// <summary>Gets a chunk's table entry; the indices are trusted (the loader derives them from the table).</summary>
    internal ChunkEntry GetEntry(int shard, int chunk) => _shards[shard].Entries[chunk];

    /// <summary>Gets the path or URI of a shard, as messages name it.</summary>
    internal string GetShardPath(int shard) => _shards[shard].Path;

    /// <summary>Passes an access-pattern hint for a chunk's stored bytes to its shard, if the shard is open now.</summary>
    internal void AdviseChunk(int shard, int chunk, MemoryAdvice advice) => _open.Advise(_shards[shard], chunk, advice);

    /// <summary>Reads one sample by global index.</summary>
    /// <param name="index">Global sample index.</param>
    /// <returns>A lease over the sample's fields; dispose it when done with its spans.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    /// <exception cref="InvalidDataException">The chunk holding the sample is corrupt.</exception>
    /// <exception cref="InvalidOperationException">The decode budget is held entirely by live leases.</exception>
    /// <exception cref="ObjectDisposedException">The dataset was disposed.</exception>
    public SampleLease ReadSample(long index)
    {
        (int shard, int chunk, int inChunk) = Locate(index);
        return new SampleLease(ReadChunk(shard, chunk), inChunk);
    }

    /// <summary>Closes every shard and frees cached buffers. Leases still alive keep their own memory (and shard) until disposed.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _open.Close();
        _cache.Close();
        _pool.Trim();
        _source.Dispose();
    }

    private bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    internal void OnLeaseCreated() => Interlocked.Increment(ref _liveLeases);

    internal void OnLeaseDisposed() => Interlocked.Decrement(ref _liveLeases);

    private static int FloorIndex(long[] starts, long value)
    {
        int i = Array.BinarySearch(starts, value);
        return i >= 0 ? i : ~i - 1;
    }

    private FieldSection[] ParseLayout(ShardFile file, int shard, int chunk, ReadOnlySpan<byte> raw, bool validateOffsets)
    {
        var sections = new FieldSection[Schema.Count];
        string? problem = ChunkLayout.TryParse(Schema, file.Entries[chunk].SampleCount, raw, sections, validateOffsets);
        return problem is null
            ? sections
            : throw DataErrors.Create($"bad chunk layout: {problem}", file.Path, shard, chunk, file.Entries[chunk].Offset);
    }

    // Returns whether the CRC was checked (the layout is then validated in full too).
    private bool VerifyStored(ShardFile file, int shard, int chunk, ChunkEntry entry, ReadOnlySpan<byte> stored, bool forceVerify)
    {
        bool verify = forceVerify || MustVerify(file, chunk);
        if (verify)
        {
            uint crc = Crc32C.Compute(stored);
            if (crc != entry.Crc)
            {
                throw DataErrors.Create(
                    $"chunk CRC32C mismatch (stored 0x{entry.Crc:X8}, computed 0x{crc:X8}); the file is damaged, restore or re-pack it",
                    file.Path,
                    shard,
                    chunk,
                    entry.Offset);
            }
        }

        return verify;
    }

    private FieldSection[] DecodeCore(ShardFile file, int shard, int chunk, ChunkEntry entry, ReadOnlySpan<byte> stored, Span<byte> destination)
    {
        _options.Codecs!.TryGetCodec(entry.Codec, out ChunkCodec? codec);
        if (!codec!.TryDecode(stored, destination, out int written) || written != destination.Length)
        {
            throw DataErrors.Create(
                $"the chunk does not decode with {CodecNames.GetName(entry.Codec)} to its {destination.Length} declared raw bytes; the file is damaged, restore or re-pack it",
                file.Path,
                shard,
                chunk,
                entry.Offset);
        }

        return ParseLayout(file, shard, chunk, destination, validateOffsets: true);
    }
}
