using ShardStore.Format;
using ShardStore.Internals.Caching;
using ShardStore.Internals.Memory;
using ShardStore.Internals.Sources;
using ShardStore.Storage;

namespace ShardStore.Internals.Loading;

/// <summary>
/// Several datasets read as one source (a mixture's streams): their shards numbered one after another, and their
/// samples likewise, so member m's sample i is sample <c>SampleBase(m) + i</c> of the source. Every read goes to the
/// member that owns the shard, with the shard's own number there, so errors name the member's file and shard.
/// </summary>
/// <remarks>
/// A node-local cache that orders eviction by a loader's plan is not driven by a mixture (its chunk numbers are the
/// concatenation's), so <see cref="CacheEvictsByPlan"/> is false and such caches keep their default eviction.
/// </remarks>
internal sealed class ConcatenatedSource : ILoaderSource
{
    private readonly ShardDataset[] _members;
    private readonly int[] _memberOfShard;
    private readonly int[] _localShard;
    private readonly int[] _shardBase;
    private readonly long[] _sampleBase;

    public ConcatenatedSource(IReadOnlyList<ShardDataset> members)
    {
        _members = [.. members];
        _shardBase = new int[_members.Length + 1];
        _sampleBase = new long[_members.Length + 1];
        var shards = new List<ShardInfo>();
        var memberOf = new List<int>();
        var local = new List<int>();
        for (int m = 0; m < _members.Length; m++)
        {
            ShardDataset d = _members[m];
            _shardBase[m] = shards.Count;
            _sampleBase[m] = SampleCount;
            for (int s = 0; s < d.Shards.Count; s++)
            {
                ShardInfo info = d.Shards[s];
                shards.Add(info with { Index = shards.Count, FirstSample = SampleCount + info.FirstSample });
                memberOf.Add(m);
                local.Add(s);
            }

            SampleCount += d.SampleCount;
            ChunkCount += d.ChunkCount;
        }

        _shardBase[^1] = shards.Count;
        _sampleBase[^1] = SampleCount;
        Shards = shards;
        _memberOfShard = [.. memberOf];
        _localShard = [.. local];
        Schema = _members[0].Schema;
        Directory = string.Join(", ", _members.Select(d => d.Directory).Distinct());
        ReadMode = _members.All(d => d.ReadMode == ShardReadMode.Mapped) ? ShardReadMode.Mapped : ShardReadMode.Direct;
        IsRemote = _members.Any(d => d.IsRemote);
        ReadAheadBytes = _members.Max(d => d.ReadAheadBytes);
        ReadsRangesCheaply = _members.All(d => d.ReadsRangesCheaply);
    }

    public Schema Schema { get; }

    public long SampleCount { get; }

    public long ChunkCount { get; }

    public IReadOnlyList<ShardInfo> Shards { get; }

    public string Directory { get; }

    public ShardReadMode ReadMode { get; }

    public bool IsRemote { get; }

    public long ReadAheadBytes { get; }

    public bool ReadsRangesCheaply { get; }

    public bool CacheEvictsByPlan => false;

    /// <summary>Gets the index of member <paramref name="member"/>'s first sample in the concatenated space.</summary>
    public long SampleBase(int member) => _sampleBase[member];

    /// <summary>Gets the index of member <paramref name="member"/>'s first shard in the concatenated numbering.</summary>
    public int ShardBase(int member) => _shardBase[member];

    public int GetChunkCount(int shard) => _members[_memberOfShard[shard]].GetChunkCount(_localShard[shard]);

    public ChunkEntry GetEntry(int shard, int chunk) => _members[_memberOfShard[shard]].GetEntry(_localShard[shard], chunk);

    public string GetShardPath(int shard) => _members[_memberOfShard[shard]].GetShardPath(_localShard[shard]);

    public bool MustVerify(int shard, int chunk) => _members[_memberOfShard[shard]].MustVerify(_localShard[shard], chunk);

    public OpenShard AcquireFile(int shard) => _members[_memberOfShard[shard]].AcquireFile(_localShard[shard]);

    public void AdviseChunk(int shard, int chunk, MemoryAdvice advice) => _members[_memberOfShard[shard]].AdviseChunk(_localShard[shard], chunk, advice);

    public void Prefetch(IEnumerable<(int Shard, int Chunk)> chunks)
    {
        foreach (IGrouping<int, (int Shard, int Chunk)> group in chunks.GroupBy(c => _memberOfShard[c.Shard]))
        {
            _members[group.Key].Prefetch([.. group.Select(c => (_localShard[c.Shard], c.Chunk))]);
        }
    }

    public void DropPrefetches()
    {
        foreach (ShardDataset d in _members.Distinct())
        {
            d.DropPrefetches();
        }
    }

    public void SetNextUse(INextUseOracle? oracle, INextUseOracle? replacing)
    {
    }

    public FieldSection[] CopyChunk(int shard, int chunk, Span<byte> destination, Span<byte> storedScratch) =>
        _members[_memberOfShard[shard]].CopyChunk(_localShard[shard], chunk, destination, storedScratch);

    public void CopyChunkRange(OpenShard open, int shard, int chunk, long offsetInChunk, Span<byte> destination) =>
        _members[_memberOfShard[shard]].CopyChunkRange(open, _localShard[shard], chunk, offsetInChunk, destination);

    public ChunkLease ReadChunk(int shard, int chunk) => _members[_memberOfShard[shard]].ReadChunk(_localShard[shard], chunk);
}
