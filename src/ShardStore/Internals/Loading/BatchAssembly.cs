namespace ShardStore.Internals.Loading;

/// <summary>How the loader fills batch slots (normally chosen by the loader; tests pin one to cover both).</summary>
internal enum BatchAssembly
{
    /// <summary>Scatter in Window order, and for compressed chunks in Sequential order, over fixed-width fields; gather otherwise.</summary>
    Auto,

    /// <summary>Each batch gathers its samples from decoded chunks kept in a shared cache (<see cref="BatchGatherer"/>).</summary>
    Gather,

    /// <summary>Chunks are decoded once and scattered into the batches that read them (<see cref="ChunkScatter"/>), where the order and schema allow it.</summary>
    Scatter,
}
