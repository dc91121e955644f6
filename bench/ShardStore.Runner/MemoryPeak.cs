namespace ShardStore.Runner;

/// <summary>Peak resident bytes over a scenario: all of it (file-backed pages included) and anonymous only; null where unknown.</summary>
internal readonly record struct MemoryPeak(long? ResidentBytes, long? AnonymousBytes);
