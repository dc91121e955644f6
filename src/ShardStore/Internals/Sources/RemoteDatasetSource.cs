using System.Security.Cryptography;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Internals.Caching;
using ShardStore.Internals.Reading;
using ShardStore.Storage;

namespace ShardStore.Internals.Sources;

/// <summary>
/// A dataset under a location of an object store. Open reads the manifest, then every shard's version, header and
/// chunk table with ranged reads, up to <see cref="OpenParallelism"/> shards at once (three requests per shard), and
/// pins each object's version: a shard replaced later fails the reads that meet it with the "dataset replaced" error.
/// Chunks are fetched by <see cref="RemoteChunkFetcher"/>, through the node-local cache when
/// <see cref="ShardDatasetOptions.Cache"/> names one: its entries are keyed by a digest of the manifest, so a dataset
/// replaced at the same location never reads the old one's chunks.
/// </summary>
internal sealed class RemoteDatasetSource(IObjectStorage storage, ChunkCacheOptions? cache) : DatasetSource
{
    /// <summary>How many shards are opened at once.</summary>
    public const int OpenParallelism = 32;

    /// <summary>The bytes a remote dataset may hold in chunks fetched ahead of use and not yet read.</summary>
    public const long PrefetchBudgetBytes = 256L << 20;

    private readonly RemoteChunkFetcher _fetcher = new(storage, PrefetchBudgetBytes);

    // Written by OpenShards, which runs once before the dataset is shared.
    private ObjectVersion[] _versions = [];

    public override string Location => storage.Location;

    public override ShardReadMode Mode => ShardReadMode.Direct;

    public override bool IsRemote => true;

    /// <summary>Remote shards hold nothing open, and their chunks are fetched into memory ahead of use.</summary>
    public override bool ReadsAheadItself => true;

    /// <summary>Half the fetcher's budget: chunks fetched into memory ahead of use.</summary>
    public override long DefaultReadAheadBytes => PrefetchBudgetBytes / 2;

    public override void DropReadAhead() => _fetcher.DropPrefetches();

    public RemoteChunkFetcher Fetcher => _fetcher;

    /// <summary>Gets whether a loader's plan may order the cache's eviction (<see cref="ChunkCacheOptions.EvictByPlan"/>).</summary>
    public bool EvictByPlan => cache?.EvictByPlan ?? false;

    public override byte[] ReadManifest(out string name)
    {
        byte[] bytes = ReadManifestObject(
            FormatConstants.ManifestFileName,
            "no manifest; this is not a dataset, or its writing was interrupted (a dataset without a manifest does not exist)",
            out name);
        if (cache is not null)
        {
            _fetcher.Cache = ChunkFileCache.Open(cache.Directory, cache.LimitBytes, Convert.ToHexStringLower(SHA256.HashData(bytes), 0, 16));
        }

        return bytes;
    }

    // An older generation's shards are the first ones of the newest: the cache opened for the newest manifest serves them.
    public override byte[] ReadGenerationManifest(int generation, out string name) =>
        ReadManifestObject(
            FormatConstants.GenerationsDirectoryName + "/" + FormatConstants.GenerationFileName(generation),
            $"generation {generation}'s manifest is missing, though manifest.json lists the generation: the dataset is damaged, or a copy that holds only the newest generation (shardpack sync copies only that)",
            out name);

    private byte[] ReadManifestObject(string key, string missing, out string name)
    {
        name = storage.GetUri(key);
        ObjectVersion version;
        try
        {
            version = storage.GetVersionAsync(key).GetAwaiter().GetResult();
        }
        catch (FileNotFoundException e)
        {
            throw DataErrors.Create(missing, name, innerException: e);
        }

        if (version.Length > ManifestSerializer.MaxManifestBytes || version.Length < 0)
        {
            throw DataErrors.Create($"the manifest is {version.Length} bytes, more than the {ManifestSerializer.MaxManifestBytes} a manifest may have", name);
        }

        byte[] bytes = new byte[version.Length];
        _fetcher.ReadRange(key, version, 0, bytes);
        return bytes;
    }

    public override ShardFile[] OpenShards(DatasetManifest manifest, IChunkCodecProvider? codecs, int keepOpen)
    {
        var shards = new ShardFile[manifest.Shards.Count];
        _versions = new ObjectVersion[shards.Length];
        var tables = new ChunkTableArena(manifest.Shards.Sum(s => (long)s.ChunkCount));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = OpenParallelism };
        try
        {
            Parallel.ForEachAsync(Enumerable.Range(0, shards.Length), parallel, async (i, token) =>
            {
                ShardInfo info = manifest.Shards[i];
                string uri = storage.GetUri(info.FileName);
                ObjectVersion version;
                try
                {
                    version = await storage.GetVersionAsync(info.FileName, token).ConfigureAwait(false);
                }
                catch (FileNotFoundException e)
                {
                    throw DataErrors.Create("the shard object is missing; the dataset is incomplete", uri, i, innerException: e);
                }

                var shard = new RemoteShard(_fetcher, i, info.FileName, uri, version);
                if (version.Length == info.FileBytes && version.Length >= FormatConstants.MinShardLength)
                {
                    long tail = Math.Min(version.Length, ((long)info.ChunkCount * FormatConstants.ChunkEntrySize) + FormatConstants.FooterSize);
                    await shard.Preload([(0, FormatConstants.HeaderReadSize), (version.Length - tail, (int)tail)], token).ConfigureAwait(false);
                }

                shards[i] = ShardFile.Validate(uri, info, manifest.Schema, manifest.Identity, codecs, shard.Read, version.Length, tables);
                shard.ForgetPreloaded();
                _versions[i] = version;
                if (i < keepOpen)
                {
                    shards[i].Open = shard;
                }
            }).GetAwaiter().GetResult();
            return shards;
        }
        catch
        {
            foreach (ShardFile? s in shards)
            {
                s?.Open?.Release();
            }

            throw;
        }
    }

    public override OpenShard Reopen(ShardFile file) =>
        new RemoteShard(_fetcher, file.Info.Index, file.Info.FileName, file.Path, _versions[file.Info.Index]);

    public override void Dispose()
    {
        _fetcher.Dispose();
        storage.Dispose();
        base.Dispose();
    }
}
