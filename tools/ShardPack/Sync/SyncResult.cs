namespace ShardPack.Sync;

/// <summary>What a sync did: shards copied and already present, bytes copied, and whether the manifest was written.</summary>
internal sealed record SyncResult(int Shards, int Copied, int AlreadyPresent, long BytesCopied, bool ManifestWritten);
