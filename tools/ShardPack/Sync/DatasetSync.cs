using ShardStore.Format;
using ShardStore.Storage;

namespace ShardPack.Sync;

/// <summary>
/// Copies a dataset from one location to another: every shard the destination lacks (or holds with other content) is
/// read whole, checked (length, header, footer, chunk table, every chunk's CRC32C) and then uploaded; the manifest is
/// written last, so the destination shows either nothing new or the whole dataset.
/// </summary>
/// <remarks>
/// Resumable: a shard already at the destination with the manifest's length, a header of this dataset and the chunk-table
/// CRC32C the manifest records is kept (its chunks were checked before it was uploaded, and it appeared whole). The
/// objects of a replaced dataset (with overwrite) are deleted only after the new manifest is in place.
/// </remarks>
internal sealed class DatasetSync(IDatasetSource source, IDatasetSource destinationReader, IDatasetPublisher destination, bool overwrite, string stagingRoot)
{
    private const int ShardsInFlight = 4;
    private const int MaxNamed = 10;
    private const int CopyBlock = 8 << 20;

    // Guarded by Interlocked: counts for the result.
    private int _copied;
    private long _bytesCopied;

    /// <summary>Gets or sets a call made after each shard is copied (its index); tests stop a sync part-way with it.</summary>
    public Action<int>? ShardCopied { get; init; }

    /// <exception cref="FileNotFoundException">The source has no manifest.</exception>
    /// <exception cref="InvalidDataException">The source's manifest or a shard is bad; nothing is published.</exception>
    /// <exception cref="UsageException">The destination holds another dataset and overwrite is off, or objects that are not part of a dataset.</exception>
    public async Task<SyncResult> RunAsync(CancellationToken cancellationToken)
    {
        string manifestUri = source.GetUri(FormatConstants.ManifestFileName);
        byte[] manifestBytes = await ReadManifestAsync(manifestUri, cancellationToken).ConfigureAwait(false);
        DatasetManifest manifest = ManifestSerializer.Parse(manifestBytes, manifestUri);

        byte[]? existing = await destination.TryReadAsync(FormatConstants.ManifestFileName, ManifestSerializer.MaxManifestBytes, cancellationToken).ConfigureAwait(false);
        bool same = existing is not null && existing.AsSpan().SequenceEqual(manifestBytes);
        HashSet<string> replaced = existing is null || same ? [] : ReplacedShards(existing);
        await CheckDestinationAsync(manifest, replaced, cancellationToken).ConfigureAwait(false);

        string staging = Path.Combine(stagingRoot, $"shardpack-sync-{Guid.NewGuid():N}");
        try
        {
            await Parallel.ForEachAsync(
                manifest.Shards,
                new ParallelOptions { MaxDegreeOfParallelism = ShardsInFlight, CancellationToken = cancellationToken },
                async (shard, token) =>
                {
                    if (await CopyShardAsync(shard, manifest, staging, token).ConfigureAwait(false))
                    {
                        ShardCopied?.Invoke(shard.Index);
                    }
                }).ConfigureAwait(false);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }

        if (!same)
        {
            await destination.PutAsync(FormatConstants.ManifestFileName, manifestBytes, cancellationToken).ConfigureAwait(false);
        }

        var keep = manifest.Shards.Select(s => s.FileName).ToHashSet(StringComparer.Ordinal);
        foreach (string name in replaced.Where(n => !keep.Contains(n)).Order(StringComparer.Ordinal))
        {
            await destination.DeleteAsync(name, CancellationToken.None).ConfigureAwait(false);
        }

        return new SyncResult(manifest.Shards.Count, _copied, manifest.Shards.Count - _copied, _bytesCopied, !same);
    }

    private static string NameAll(string[] names)
    {
        string shown = string.Join(", ", names.Take(MaxNamed).Select(n => $"'{n}'"));
        return names.Length > MaxNamed ? $"{shown} and {names.Length - MaxNamed} more" : shown;
    }

    private async Task<byte[]> ReadManifestAsync(string uri, CancellationToken cancellationToken)
    {
        using ISourceObject manifest = await source.TryOpenAsync(FormatConstants.ManifestFileName, cancellationToken).ConfigureAwait(false)
            ?? throw new FileNotFoundException($"'{uri}' does not exist: '{source.Location}' is not a dataset, or its writing was interrupted.", uri);
        if (manifest.Length > ManifestSerializer.MaxManifestBytes)
        {
            throw DataErrors.Create($"the manifest has {manifest.Length} bytes, more than the {ManifestSerializer.MaxManifestBytes} a reader accepts", uri);
        }

        byte[] bytes = new byte[manifest.Length];
        await manifest.ReadAsync(0, bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    // The destination's dataset, which overwrite replaces: its shards are deleted once the new manifest is in place.
    private HashSet<string> ReplacedShards(byte[] existing)
    {
        string uri = destination.GetUri(FormatConstants.ManifestFileName);
        if (!overwrite)
        {
            throw new UsageException($"'{destination.Location}' holds another dataset; pass --overwrite to replace it, or choose another destination.");
        }

        try
        {
            return ManifestSerializer.Parse(existing, uri).Shards.Select(s => s.FileName).ToHashSet(StringComparer.Ordinal);
        }
        catch (InvalidDataException e)
        {
            throw new UsageException($"'{destination.Location}' is not a ShardStore dataset ({e.Message}); --overwrite replaces only a dataset: choose another destination, or remove it yourself.");
        }
    }

    private async Task CheckDestinationAsync(DatasetManifest manifest, HashSet<string> replaced, CancellationToken cancellationToken)
    {
        var own = new HashSet<string>(replaced, StringComparer.Ordinal) { FormatConstants.ManifestFileName };
        own.UnionWith(manifest.Shards.Select(s => s.FileName));
        string[] stray = [.. (await destination.ListAsync(cancellationToken).ConfigureAwait(false)).Where(n => !own.Contains(n))];
        if (stray.Length > 0)
        {
            throw new UsageException(
                $"'{destination.Location}' holds {NameAll(stray)}, which {(stray.Length == 1 ? "is" : "are")} not part of the dataset; sync writes only into an empty location, an earlier copy of this dataset, or (with --overwrite) another dataset. Remove them or choose another destination.");
        }
    }

    /// <returns>True when the shard was copied, false when the destination already held it.</returns>
    private async Task<bool> CopyShardAsync(ShardInfo shard, DatasetManifest manifest, string staging, CancellationToken cancellationToken)
    {
        string name = shard.FileName;
        using (ISourceObject? present = await destinationReader.TryOpenAsync(name, cancellationToken).ConfigureAwait(false))
        {
            if (present is not null && await ShardCheck.CheckAsync(present, shard, manifest, destinationReader.GetUri(name), chunks: false, cancellationToken).ConfigureAwait(false) is null)
            {
                return false;
            }
        }

        string uri = source.GetUri(name);
        using ISourceObject from = await source.TryOpenAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw DataErrors.Create("the shard the manifest lists is missing; the source dataset is incomplete", uri, shard: shard.Index);
        string? local = from.LocalPath;
        string? downloaded = null;
        try
        {
            if (local is null)
            {
                downloaded = destination is LocalDatasetPublisher l ? l.GetStagingPath(name) : Path.Combine(Directory.CreateDirectory(staging).FullName, name);
                await DownloadAsync(from, downloaded, cancellationToken).ConfigureAwait(false);
                local = downloaded;
            }

            // Checked on the local bytes that are uploaded: what the destination receives is what was checked.
            using (LocalFileObject file = LocalFileObject.TryOpen(local) ?? throw new FileNotFoundException($"'{local}' disappeared during the sync.", local))
            {
                if (await ShardCheck.CheckAsync(file, shard, manifest, uri, chunks: true, cancellationToken).ConfigureAwait(false) is { } problem)
                {
                    throw problem;
                }
            }

            await destination.UploadFileAsync(name, local, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (downloaded is not null)
            {
                File.Delete(downloaded);
            }
        }

        Interlocked.Increment(ref _copied);
        Interlocked.Add(ref _bytesCopied, shard.FileBytes);
        return true;
    }

    private static async Task DownloadAsync(ISourceObject from, string path, CancellationToken cancellationToken)
    {
        byte[] block = new byte[(int)Math.Min(CopyBlock, Math.Max(from.Length, 1))];
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        for (long offset = 0; offset < from.Length; offset += block.Length)
        {
            int count = (int)Math.Min(block.Length, from.Length - offset);
            await from.ReadAsync(offset, block.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
            await file.WriteAsync(block.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        }
    }
}
