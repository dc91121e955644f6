using Microsoft.Win32.SafeHandles;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Internals.Publishing;
using ShardStore.Internals.Reading;
using ShardStore.Storage;

namespace ShardStore.Internals.Sources;

/// <summary>
/// A dataset directory on a local file system. Shards are opened as regular files only (never blocking on a FIFO);
/// in <see cref="ShardReadMode.Mapped"/> mode they are memory-mapped, in <see cref="ShardReadMode.Direct"/> mode read
/// with positioned reads (optionally <c>O_DIRECT</c>). A shard opened again must be the very file validated at open.
/// </summary>
internal sealed class LocalDatasetSource : DatasetSource
{
    // Immutable after OpenShards, which runs once, before the dataset is shared.
    private readonly string _directory;
    private readonly ShardReadMode _requested;
    private readonly bool? _directIoOption;
    private readonly long? _readAheadOption;
    private bool _directIo;
    private ShardReadMode _mode;
    private LocalReadAhead? _readAhead;
    private FileIdentity[] _identities = [];
    private DatasetIdentity _datasetIdentity;

    private LocalDatasetSource(string directory, ShardDatasetOptions options)
    {
        _directory = directory;
        _requested = options.ReadMode;
        _mode = _requested == ShardReadMode.Auto ? ShardReadMode.Mapped : _requested;
        _directIoOption = options.DirectIo;
        _readAheadOption = options.ReadAheadBytes;
    }

    public override string Location => _directory;

    /// <summary>Gets the mode chosen; <see cref="ShardReadMode.Auto"/> is resolved by <see cref="OpenShards"/>.</summary>
    public override ShardReadMode Mode => _mode;

    /// <summary>Gets whether direct reads bypass the page cache (<c>O_DIRECT</c>) where the file system allows it; resolved by <see cref="OpenShards"/>.</summary>
    public bool DirectIo => _directIo;

    /// <summary>Gets the read-ahead of direct I/O, or null without it.</summary>
    public LocalReadAhead? ReadAhead => _readAhead;

    /// <summary>With direct I/O the source reads planned chunks ahead itself; through the page cache the kernel does, on hints.</summary>
    public override bool ReadsAheadItself => _readAhead is not null;

    /// <summary>
    /// A thirty-second of the memory available to the process, at most 256 MiB: page cache the kernel fills ahead, or
    /// with direct I/O buffers of the source's read-ahead.
    /// </summary>
    public override long DefaultReadAheadBytes => Math.Min(256L << 20, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 32);

    public override void DropReadAhead() => _readAhead?.Drop();

    public override void Dispose()
    {
        _readAhead?.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// Gets the share of the memory available to the process above which <see cref="ShardReadMode.Auto"/> reads
    /// directly: a dataset bigger than a quarter of memory cannot stay in the page cache next to the training job, so
    /// mapping it only trades page faults for reads.
    /// </summary>
    public static long AutoDirectThreshold => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4;

    public static LocalDatasetSource OpenDirectory(string directory, ShardDatasetOptions options)
    {
        directory = Path.GetFullPath(directory);
        if (!Directory.Exists(directory) && !PublishLeftovers.RestoreMissingTarget(PhysicalWriterFileSystem.Instance, directory))
        {
            throw new DirectoryNotFoundException($"Dataset directory '{directory}' does not exist.");
        }

        return new LocalDatasetSource(directory, options);
    }

    public override byte[] ReadManifest(out string name)
    {
        name = Path.Combine(_directory, FormatConstants.ManifestFileName);
        return ManifestFile.ReadBytes(name);
    }

    public override byte[] ReadGenerationManifest(int generation, out string name)
    {
        name = Path.Combine(_directory, FormatConstants.GenerationsDirectoryName, FormatConstants.GenerationFileName(generation));
        if (!File.Exists(name) && !Directory.Exists(name))
        {
            throw DataErrors.Create($"generation {generation}'s manifest is missing, though manifest.json lists the generation: the dataset is damaged, or a copy that holds only the newest generation (shardpack sync copies only that)", name);
        }

        return ManifestFile.ReadBytes(name);
    }

    public override ShardFile[] OpenShards(DatasetManifest manifest, IChunkCodecProvider? codecs, int keepOpen)
    {
        if (_requested == ShardReadMode.Auto)
        {
            _mode = manifest.Shards.Sum(s => s.FileBytes) > AutoDirectThreshold ? ShardReadMode.Direct : ShardReadMode.Mapped;
        }

        // Off unless asked for: O_DIRECT spares the page cache, but on the machines measured (bench/results,
        // 2026-12-02-storage.md) the kernel's read-ahead and copy cost the decode workers less CPU than a first touch of
        // freshly DMA'd buffers, so a cold epoch was faster through the page cache.
        _directIo = _mode == ShardReadMode.Direct && _directIoOption == true;
        if (_directIo && OperatingSystem.IsLinux())
        {
            // Up to a quarter more than the depth, so chunks being read now do not crowd out the last hints.
            long depth = _readAheadOption is { } bytes ? Math.Max(0, bytes) : DefaultReadAheadBytes;
            _readAhead = new LocalReadAhead(Math.Max(depth + depth / 4, 2L * LocalReadAhead.MaxRunBytes));
        }

        _datasetIdentity = manifest.Identity;
        _identities = new FileIdentity[manifest.Shards.Count];
        var shards = new ShardFile[manifest.Shards.Count];
        var failures = new Exception?[shards.Length];
        var tables = new ChunkTableArena(manifest.Shards.Sum(s => (long)s.ChunkCount));

        // Shards are independent: validated on every core. Which error is reported does not depend on scheduling: the
        // lowest shard's.
        Parallel.For(0, shards.Length, i =>
        {
            try
            {
                shards[i] = OpenShard(manifest, codecs, tables, i, keep: i < keepOpen);
            }
            catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException or UnauthorizedAccessException)
            {
                failures[i] = e;
            }
        });

        if (Array.FindIndex(failures, f => f is not null) is int first and >= 0)
        {
            foreach (ShardFile? s in shards)
            {
                s?.Open?.Release();
            }

            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failures[first]!).Throw();
        }

        return shards;
    }

    private ShardFile OpenShard(DatasetManifest manifest, IChunkCodecProvider? codecs, ChunkTableArena tables, int i, bool keep)
    {
        ShardInfo info = manifest.Shards[i];
        string path = Path.Combine(_directory, info.FileName);
        SafeFileHandle handle = OpenRegular(path, info, out FileIdentity identity);
        try
        {
            ShardFile shard = ShardFile.Validate(path, info, manifest.Schema, manifest.Identity, codecs, (offset, destination) => RandomAccess.Read(handle, destination, offset), identity.Length, tables);
            _identities[i] = identity;
            if (keep)
            {
                shard.Open = Wrap(path, i, handle, identity);
                handle = null!;
            }

            return shard;
        }
        finally
        {
            handle?.Dispose();
        }
    }

    public override OpenShard Reopen(ShardFile file)
    {
        SafeFileHandle handle = OpenRegular(file.Path, file.Info, out FileIdentity now);
        try
        {
            FileIdentity expected = _identities[file.Info.Index];

            // The identity includes the length, so a file cut short or grown is reported here too.
            if (now != expected)
            {
                throw Replaced(file, now.Length != expected.Length
                    ? $"it has {now.Length} bytes, {expected.Length} at open; it was truncated or was replaced"
                    : $"it was {expected} at open, now {now}");
            }

            if (!_datasetIdentity.IsNone)
            {
                Span<byte> header = stackalloc byte[FormatConstants.HeaderReadSize];
                for (int done = 0; done < header.Length;)
                {
                    int read = RandomAccess.Read(handle, header[done..], done);
                    if (read == 0)
                    {
                        throw Replaced(file, $"it ended at byte {done}, inside its header");
                    }

                    done += read;
                }

                string? problem = ShardHeader.TryReadIdentity(header, out DatasetIdentity identity);
                if (problem is not null || identity != _datasetIdentity)
                {
                    throw Replaced(file, $"its header now says dataset {(problem is null ? identity : "unreadable")}, at open {_datasetIdentity}");
                }
            }

            OpenShard open = Wrap(file.Path, file.Info.Index, handle, now);
            handle = null!;
            return open;
        }
        finally
        {
            handle?.Dispose();
        }
    }

    // Takes ownership of the handle.
    private OpenShard Wrap(string path, int shard, SafeFileHandle handle, FileIdentity identity) =>
        _mode == ShardReadMode.Mapped
            ? ShardMapping.Create(path, handle, identity)
            : new DirectShard(path, shard, handle, _directIo ? DirectShard.TryOpenDirect(path) : null, _readAhead, identity);

    private static InvalidDataException Replaced(ShardFile file, string detail) =>
        DataErrors.Create(
            $"the dataset was replaced or modified while it was open: the shard file is not the one validated at open ({detail}); reopen the dataset",
            file.Path,
            file.Info.Index);

    // Opens the shard file for reading, refusing anything but a regular file without blocking (a FIFO would), and
    // turns the ways opening fails into errors that name the shard.
    private static SafeFileHandle OpenRegular(string path, ShardInfo info, out FileIdentity identity)
    {
        SafeFileHandle? handle;
        string? kind;
        try
        {
            handle = RegularFile.TryOpenRead(path, out identity, out kind);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw DataErrors.Create("the shard file is missing; the dataset is incomplete", path, info.Index, innerException: e);
        }

        return handle ?? throw (kind == "a directory"
            ? DataErrors.Create("a directory stands where the shard file should be", path, info.Index)
            : DataErrors.Create($"{kind} stands where the shard file should be, not a regular file", path, info.Index));
    }
}
