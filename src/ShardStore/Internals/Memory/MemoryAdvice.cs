namespace ShardStore.Internals.Memory;

/// <summary>Access-pattern hints for mapped file ranges.</summary>
internal enum MemoryAdvice
{
    /// <summary>The range will be read soon: start reading it in.</summary>
    WillNeed,

    /// <summary>The range is not needed any more: drop it from this process's resident set (the page cache keeps it).</summary>
    DontNeed,
}
